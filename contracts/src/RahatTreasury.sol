// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC2771Context} from "@openzeppelin/contracts/metatx/ERC2771Context.sol";
import {Context} from "@openzeppelin/contracts/utils/Context.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title RahatTreasury
/// @notice Holds project funds and releases them against off-chain payout ids.
///         Each `ref` can be released at most once, which turns an at-least-once off-chain
///         retry loop into exactly-once on chain. The engine's hot key (DISBURSER_ROLE) spends
///         only within a per-project allowance that the admin key sets, and PAUSER_ROLE can
///         stop it; a stolen hot key can therefore lose at most the allowances left.
contract RahatTreasury is AccessControl, Pausable, ERC2771Context {
    using SafeERC20 for IERC20;

    bytes32 public constant DISBURSER_ROLE = keccak256("DISBURSER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Block number a payout reference was released in; 0 = never.
    mapping(bytes32 ref => uint256) public releasedAt;
    /// @notice What DISBURSER_ROLE may still release for the project.
    mapping(bytes32 project => uint256) public allowance;
    /// @notice The project's disbursement contract, the only caller of restoreAllowance for it.
    mapping(bytes32 project => address) public disbursementOf;
    /// @notice Block number an allowance change was applied in; 0 = never.
    mapping(bytes32 ref => uint256) public appliedAt;

    event Released(bytes32 indexed ref, bytes32 indexed project, address indexed to, address token, uint256 amount);
    event AllowanceChanged(bytes32 indexed project, bytes32 indexed ref, uint256 allowance);
    event AllowanceRestored(bytes32 indexed project, uint256 amount);
    event DisbursementRegistered(bytes32 indexed project, address indexed disbursement);
    event Withdrawn(address indexed token, address indexed to, uint256 amount);

    error AlreadyReleased(bytes32 ref);
    error AlreadyApplied(bytes32 ref);
    // A zero ref almost always means an unset id off chain; refuse it rather
    // than let it silently claim the slot.
    error InvalidRef();
    error InvalidRecipient(address to);
    error AllowanceExceeded(bytes32 project, uint256 allowance, uint256 amount);
    error NotProjectDisbursement(address caller);

    constructor(address forwarder, address admin) ERC2771Context(forwarder) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function released(bytes32 ref) external view returns (bool) {
        return releasedAt[ref] != 0;
    }

    function release(bytes32 project, IERC20 token, address to, uint256 amount, bytes32 ref)
        external
        onlyRole(DISBURSER_ROLE)
        whenNotPaused
    {
        if (ref == bytes32(0)) revert InvalidRef();
        if (releasedAt[ref] != 0) revert AlreadyReleased(ref);
        if (to == address(0) || to == address(this) || to == address(token)) revert InvalidRecipient(to);
        uint256 left = allowance[project];
        if (amount > left) revert AllowanceExceeded(project, left, amount);
        // Effects before the external call so a re-entrant token cannot double-pay.
        releasedAt[ref] = block.number;
        unchecked {
            allowance[project] = left - amount;
        }
        emit Released(ref, project, to, address(token), amount);
        token.safeTransfer(to, amount);
    }

    function increaseAllowance(bytes32 project, uint256 amount, bytes32 ref) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _apply(ref);
        uint256 next = allowance[project] + amount;
        allowance[project] = next;
        emit AllowanceChanged(project, ref, next);
    }

    function decreaseAllowance(bytes32 project, uint256 amount, bytes32 ref) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _apply(ref);
        uint256 left = allowance[project];
        if (amount > left) revert AllowanceExceeded(project, left, amount);
        unchecked {
            allowance[project] = left - amount;
        }
        emit AllowanceChanged(project, ref, left - amount);
    }

    function registerDisbursement(bytes32 project, address disbursement) external onlyRole(DEFAULT_ADMIN_ROLE) {
        disbursementOf[project] = disbursement;
        emit DisbursementRegistered(project, disbursement);
    }

    /// @notice The project's disbursement contract calls this after sending unspent budget back,
    ///         so allowance + what the project holds stays constant and the budget is spendable again.
    function restoreAllowance(bytes32 project, uint256 amount) external {
        address caller = _msgSender();
        if (caller != disbursementOf[project]) revert NotProjectDisbursement(caller);
        allowance[project] += amount;
        emit AllowanceRestored(project, amount);
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    function withdraw(IERC20 token, address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit Withdrawn(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    function _apply(bytes32 ref) private {
        if (ref == bytes32(0)) revert InvalidRef();
        if (appliedAt[ref] != 0) revert AlreadyApplied(ref);
        appliedAt[ref] = block.number;
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
