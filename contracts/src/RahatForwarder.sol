// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";

/// @title RahatForwarder
/// @notice Trusted ERC-2771 forwarder: relayers pay gas, signers stay msg.sender.
contract RahatForwarder is ERC2771Forwarder {
    constructor() ERC2771Forwarder("RahatForwarder") {}
}
