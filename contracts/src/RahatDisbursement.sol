// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title RahatDisbursement
/// @notice One per project. Holds the budget the treasury released for the project's
///         batches and pays many beneficiaries in one transaction. Each chunk id can be
///         paid at most once, so a replayed or duplicated transaction cannot double-pay
///         even if every off-chain record were lost.
contract RahatDisbursement is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant DISBURSER_ROLE = keccak256("DISBURSER_ROLE");

    IERC20 public immutable token;
    /// @notice Where unspent budget goes back to.
    address public immutable treasury;
    bytes32 public immutable projectId;

    mapping(bytes32 chunkId => bool) public chunkPaid;

    /// @notice One per payout; `index` is the payout's position inside its chunk.
    event Payout(bytes32 indexed chunkId, uint256 index, address to, uint256 amount);
    event ChunkPaid(bytes32 indexed chunkId, uint256 count, uint256 total);
    event Returned(address indexed treasury, uint256 amount);

    error ChunkAlreadyPaid(bytes32 chunkId);
    error InvalidChunk();
    error LengthMismatch();

    constructor(IERC20 token_, address treasury_, bytes32 projectId_, address admin, address disburser) {
        token = token_;
        treasury = treasury_;
        projectId = projectId_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(DISBURSER_ROLE, disburser);
    }

    function disburse(bytes32 chunkId, address[] calldata to, uint256[] calldata amounts) external onlyRole(DISBURSER_ROLE) {
        if (chunkId == bytes32(0) || to.length == 0) revert InvalidChunk();
        if (to.length != amounts.length) revert LengthMismatch();
        if (chunkPaid[chunkId]) revert ChunkAlreadyPaid(chunkId);
        // Effects before the transfers so a re-entrant token cannot pay the chunk twice.
        chunkPaid[chunkId] = true;
        uint256 total;
        for (uint256 i; i < to.length; ++i) {
            token.safeTransfer(to[i], amounts[i]);
            emit Payout(chunkId, i, to[i], amounts[i]);
            total += amounts[i];
        }
        emit ChunkPaid(chunkId, to.length, total);
    }

    /// @notice Gives unspent budget back to the treasury (a batch's compensation step).
    function returnToTreasury(uint256 amount) external onlyRole(DISBURSER_ROLE) {
        emit Returned(treasury, amount);
        token.safeTransfer(treasury, amount);
    }
}
