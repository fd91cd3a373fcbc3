// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {RahatTreasury} from "./RahatTreasury.sol";

/// @title RahatDisbursement
/// @notice One per project. Holds the budget the treasury released for the project's batches
///         and pays many beneficiaries in one transaction. Each chunk id is paid at most once
///         and each payout (its seq within its batch) at most once, whatever chunk carries it,
///         so neither a replayed transaction nor a re-chunked batch can double-pay, even if
///         every off-chain record were lost.
contract RahatDisbursement is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant DISBURSER_ROLE = keccak256("DISBURSER_ROLE");

    IERC20 public immutable token;
    /// @notice Where unspent budget goes back to; its pause also stops disbursing.
    RahatTreasury public immutable treasury;
    bytes32 public immutable projectId;

    /// @notice Block number a chunk was paid in; 0 = unpaid.
    mapping(bytes32 chunkId => uint256) public chunkPaidAt;
    /// @notice Block number a return to the treasury was made in; 0 = never.
    mapping(bytes32 ref => uint256) public returnedAt;
    /// @dev One bit per payout: word = seq >> 8, bit = seq & 255.
    mapping(bytes32 batch => mapping(uint256 word => uint256)) private _paidBits;

    /// @notice Once per chunk. There is no per-payout event: the token's Transfer events, in
    ///         payout order, are the per-payout record (an event each would cost ~1.9k gas).
    event ChunkPaid(bytes32 indexed batch, bytes32 indexed chunkId, uint256 count, uint256 total);
    event Returned(bytes32 indexed ref, uint256 amount);

    error Paused();
    error InvalidChunk();
    error LengthMismatch();
    error ChunkAlreadyPaid(bytes32 chunkId);
    error PayoutAlreadyPaid(bytes32 batch, uint256 seq);
    error InvalidRecipient(uint256 seq);
    error InvalidRef();
    error AlreadyReturned(bytes32 ref);
    error InvalidToken();
    error TransferFailed();

    constructor(IERC20 token_, RahatTreasury treasury_, bytes32 projectId_, address admin, address disburser) {
        // disburse accepts a transfer that returns no data; that is only safe if the token has code.
        if (address(token_).code.length == 0) revert InvalidToken();
        token = token_;
        treasury = treasury_;
        projectId = projectId_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(DISBURSER_ROLE, disburser);
    }

    function paidWord(bytes32 batch, uint256 word) external view returns (uint256) {
        return _paidBits[batch][word];
    }

    function isPaid(bytes32 batch, uint256 seq) external view returns (bool) {
        return _paidBits[batch][seq >> 8] & (1 << (seq & 255)) != 0;
    }

    /// @param seqs The payouts' seqs in their batch, 4-byte big-endian each.
    /// @param payouts Recipient in the high 160 bits, uint96 amount in the low 96.
    function disburse(bytes32 batch, bytes32 chunkId, bytes calldata seqs, bytes32[] calldata payouts)
        external
        onlyRole(DISBURSER_ROLE)
    {
        if (treasury.paused()) revert Paused();
        uint256 count = payouts.length;
        if (chunkId == bytes32(0) || count == 0) revert InvalidChunk();
        if (seqs.length != count * 4) revert LengthMismatch();
        if (chunkPaidAt[chunkId] != 0) revert ChunkAlreadyPaid(chunkId);
        // Every effect before the first transfer, so a re-entrant call finds all of them.
        chunkPaidAt[chunkId] = block.number;
        uint256 total = _markPaid(batch, seqs, payouts);
        _transferAll(payouts);
        emit ChunkPaid(batch, chunkId, count, total);
    }

    /// @notice Gives unspent budget back to the treasury (a batch's compensation step); the
    ///         treasury's allowance for the project grows by the same amount.
    function returnToTreasury(bytes32 ref, uint256 amount) external onlyRole(DISBURSER_ROLE) {
        if (ref == bytes32(0)) revert InvalidRef();
        if (returnedAt[ref] != 0) revert AlreadyReturned(ref);
        returnedAt[ref] = block.number;
        emit Returned(ref, amount);
        token.safeTransfer(address(treasury), amount);
        treasury.restoreAllowance(projectId, amount);
    }

    /// @dev Checks recipients and sets the seqs' bits. The current word stays in a local and is
    ///      written when the seqs move to another word, so sorted seqs cost one SSTORE per 256.
    function _markPaid(bytes32 batch, bytes calldata seqs, bytes32[] calldata payouts) private returns (uint256 total) {
        mapping(uint256 => uint256) storage bits = _paidBits[batch];
        address tokenAddress = address(token);
        uint256 count = payouts.length;
        uint256 wordIndex = type(uint256).max; // no seq below 2^32 maps here
        uint256 word;
        for (uint256 i; i < count; ++i) {
            uint256 seq;
            assembly ("memory-safe") {
                // In bounds: seqs.length == 4 * count was checked.
                seq := shr(224, calldataload(add(seqs.offset, shl(2, i))))
            }
            uint256 payout = uint256(payouts[i]);
            address to = address(uint160(payout >> 96));
            if (to == address(0) || to == tokenAddress || to == address(this)) revert InvalidRecipient(seq);
            if (seq >> 8 != wordIndex) {
                if (wordIndex != type(uint256).max) bits[wordIndex] = word;
                wordIndex = seq >> 8;
                word = bits[wordIndex];
            }
            uint256 bit = 1 << (seq & 255);
            if (word & bit != 0) revert PayoutAlreadyPaid(batch, seq);
            word |= bit;
            unchecked {
                total += uint96(payout); // < 2^96 each: cannot overflow
            }
        }
        bits[wordIndex] = word;
    }

    /// @dev token.transfer(to, amount) per payout without SafeERC20's per-call overhead: one
    ///      reused memory buffer, success required, and the return must be empty or true.
    function _transferAll(bytes32[] calldata payouts) private {
        address tokenAddress = address(token);
        bytes4 failed = TransferFailed.selector;
        assembly ("memory-safe") {
            let buf := mload(0x40) // scratch above the free pointer; nothing is allocated meanwhile
            mstore(buf, 0xa9059cbb00000000000000000000000000000000000000000000000000000000) // transfer(address,uint256)
            let end := add(payouts.offset, shl(5, payouts.length))
            for { let at := payouts.offset } lt(at, end) { at := add(at, 0x20) } {
                let payout := calldataload(at)
                mstore(add(buf, 0x04), shr(96, payout))
                mstore(add(buf, 0x24), and(payout, 0xffffffffffffffffffffffff))
                let ok := call(gas(), tokenAddress, 0, buf, 0x44, 0x00, 0x20)
                if iszero(and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))) {
                    // A reverting token's own error (e.g. ERC20InsufficientBalance) is the useful one.
                    if iszero(ok) {
                        returndatacopy(buf, 0, returndatasize())
                        revert(buf, returndatasize())
                    }
                    mstore(0x00, failed)
                    revert(0x00, 0x04)
                }
            }
        }
    }
}
