// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";

/// @title RahatTreasury
/// @notice Holds project funds and releases them against off-chain payout ids.
///         Each `ref` can be released at most once, which turns an
///         at-least-once off-chain retry loop into exactly-once on chain.
contract RahatTreasury is AccessControl, ERC2771Context {
    using SafeERC20 for IERC20;

    bytes32 public constant DISBURSER_ROLE = keccak256("DISBURSER_ROLE");

    /// @notice True once a payout reference has been paid.
    mapping(bytes32 ref => bool) public released;

    event Released(bytes32 indexed ref, address indexed token, address indexed to, uint256 amount);
    event Withdrawn(address indexed token, address indexed to, uint256 amount);

    error AlreadyReleased(bytes32 ref);
    // A zero ref almost always means an unset id off chain; refuse it rather
    // than let it silently claim the slot.
    error InvalidRef();

    constructor(address forwarder, address admin) ERC2771Context(forwarder) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function release(IERC20 token, address to, uint256 amount, bytes32 ref) external onlyRole(DISBURSER_ROLE) {
        if (ref == bytes32(0)) revert InvalidRef();
        if (released[ref]) revert AlreadyReleased(ref);
        // Effects before the external call so a re-entrant token cannot double-pay.
        released[ref] = true;
        emit Released(ref, address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    function withdraw(IERC20 token, address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit Withdrawn(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    function _msgSender() internal view override(Context, ERC2771Context) returns (address) {
        return ERC2771Context._msgSender();
    }

    function _msgData() internal view override(Context, ERC2771Context) returns (bytes calldata) {
        return ERC2771Context._msgData();
    }

    function _contextSuffixLength() internal view override(Context, ERC2771Context) returns (uint256) {
        return ERC2771Context._contextSuffixLength();
    }
}
