// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {RahatWallet} from "./RahatWallet.sol";

/// @title RahatWalletFactory
/// @notice Deploys beneficiary wallets with CREATE2. The address commits to the owner and a
///         per-beneficiary salt, so it is known before deployment and anyone may deploy it:
///         whoever sends the transaction, the wallet always ends up with that owner.
///         Deploying an existing wallet is a no-op, which makes retries harmless.
contract RahatWalletFactory {
    /// @notice The RahatWallet every clone delegates to; it trusts the forwarder given here.
    address public immutable implementation;

    event WalletDeployed(address indexed wallet, address indexed owner, bytes32 indexed salt);

    error LengthMismatch();

    constructor(address trustedForwarder) {
        implementation = address(new RahatWallet(trustedForwarder));
    }

    function walletAddress(address owner, bytes32 salt) public view returns (address) {
        return Clones.predictDeterministicAddress(implementation, _salt(owner, salt));
    }

    function deploy(address owner, bytes32 salt) public returns (address wallet) {
        wallet = walletAddress(owner, salt);
        if (wallet.code.length != 0) return wallet;
        Clones.cloneDeterministic(implementation, _salt(owner, salt));
        RahatWallet(payable(wallet)).initialize(owner);
        emit WalletDeployed(wallet, owner, salt);
    }

    /// @notice Bulk imports deploy wallets in batches; already deployed ones are skipped.
    function deployMany(address[] calldata owners, bytes32[] calldata salts) external {
        if (owners.length != salts.length) revert LengthMismatch();
        for (uint256 i; i < owners.length; ++i) deploy(owners[i], salts[i]);
    }

    /// @notice For the deploy script: a recorded factory is reusable only with the same forwarder.
    function isTrustedForwarder(address forwarder) external view returns (bool) {
        return RahatWallet(payable(implementation)).isTrustedForwarder(forwarder);
    }

    function _salt(address owner, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(owner, salt));
    }
}
