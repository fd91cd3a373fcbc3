// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";

/// @title RahatWallet
/// @notice A beneficiary's wallet: holds tokens and calls other contracts for its owner only.
///         Deployed as a minimal clone by RahatWalletFactory at an address fixed before
///         deployment, so tokens may arrive before it exists. The owner needs no ETH: it
///         signs ERC-2771 requests that a relayer submits through the trusted forwarder.
contract RahatWallet is ERC2771Context, Initializable {
    address public owner;

    event Executed(address indexed target, uint256 value, bytes4 selector);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error ZeroOwner();

    /// @dev The implementation behind every clone; never usable as a wallet itself.
    constructor(address trustedForwarder_) ERC2771Context(trustedForwarder_) {
        _disableInitializers();
    }

    /// @notice Called once by the factory in the transaction that creates the clone.
    function initialize(address owner_) external initializer {
        if (owner_ == address(0)) revert ZeroOwner();
        owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    modifier onlyOwner() {
        if (_msgSender() != owner) revert NotOwner(_msgSender());
        _;
    }

    /// @notice Calls `target` with `data` and `value`; bubbles the callee's revert reason up.
    function execute(address target, uint256 value, bytes calldata data) external payable onlyOwner returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        emit Executed(target, value, data.length >= 4 ? bytes4(data[:4]) : bytes4(0));
    }

    /// @notice Lets a compromised or lost owner key be replaced while the wallet address stays.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroOwner();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    receive() external payable {}
}
