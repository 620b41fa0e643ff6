// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Checkpoints} from "./Checkpoints.sol";

/// @notice A sidechain withdrawal, exactly as in `notes/bridge-formats.md`.
struct Withdrawal {
    uint64 id;
    address token; // address(0) = ETH
    address recipient; // paid amount - fee
    uint256 amount; // fee included
    uint256 fee; // paid to the account that makes the payment happen (a relayer, or the recipient); at most amount
}

/// @title Ludus vault: holds bridged L1 tokens.
/// @notice Deposits (L1 → sidechain) lock ETH or a registered ERC-20 and emit `Deposited` with the
/// next nonce, which the validators attest on the sidechain. Claims (sidechain → L1) pay a
/// withdrawal proven by Merkle proof against a checkpoint's withdrawals root, once per id, by
/// anyone, to the recipient fixed in the withdrawal, less the fee the user named on the sidechain,
/// which goes to whoever made the payment happen: a relayer claims for the user, so the user never
/// needs to come back, and a user who claims themselves keeps the fee.
/// @dev Defence in depth against a compromised validator set (Multichain, Harmony, Ronin):
/// per-token daily limits on immediate claims, claims above a per-token threshold wait
/// `largeClaimDelay` (the guardian can pause and cancel them meanwhile), and the vault stops
/// whenever it or the Checkpoints contract is paused (an equivocation proof pauses Checkpoints).
contract Vault is AccessControl, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Accounts that may pause and freeze queued claims (never unpause or pay).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice The token address that stands for native ETH.
    address public constant ETH = address(0);

    /// @notice Per-token limits, set by the admin (one storage slot).
    struct TokenLimits {
        uint128 dailyLimit; // immediate claims: bucket capacity, refilled at dailyLimit per day
        uint128 largeClaimThreshold; // claims strictly above this are delayed
        uint128 minDeposit; // smallest deposit accepted (what the vault receives), so the sidechain can mint it
    }

    /// @dev Registration and the limit's token bucket share one slot, so a claim touches two token
    /// slots, not three. The bucket holds what immediate claims may still pay: at most `dailyLimit`,
    /// refilled continuously at `dailyLimit` per day (as Chainlink CCIP's rate limiter). Unlike a
    /// per-UTC-day counter, no more than `dailyLimit` can leave at once (around midnight included),
    /// and at most `dailyLimit * (1 + t / 1 days)` in any window of length t.
    struct TokenState {
        bool registered; // deposits accepted and claims paid
        uint40 updatedAt; // when `available` was last computed
        uint128 available; // bucket level at `updatedAt` (never above dailyLimit <= uint128 max)
    }

    /// @notice A claim waiting for `unlockAt`; a frozen one waits for the admin from `unlockAt` on.
    struct QueuedClaim {
        address token;
        uint64 unlockAt;
        bool frozen;
        address recipient;
        uint256 amount; // fee included
        uint256 fee; // to whoever executes the claim (none when the admin releases a frozen one)
    }

    /// @notice How long a frozen claim stays frozen before the admin may release it to its recipient:
    /// time for governance to tell a forged withdrawal (a compromised validator set) from a real one.
    uint64 public constant FROZEN_RELEASE_DELAY = 7 days;

    /// @notice The contract that stores checkpoint withdrawals roots.
    Checkpoints public immutable CHECKPOINTS;

    /// @notice Nonce of the last deposit; the first deposit gets nonce 1.
    uint64 public lastDepositNonce;
    /// @notice How long a large (or over-limit) claim waits before `executeDelayed` can pay it.
    uint64 public largeClaimDelay = 1 days;
    /// @notice Upper bound of `largeClaimDelay`: a longer delay would hold users' money hostage.
    uint64 public constant MAX_LARGE_CLAIM_DELAY = 30 days;

    mapping(address token => TokenState) private _state;
    mapping(address token => TokenLimits) private _limits;
    mapping(uint256 word => uint256 bits) private _claimedBitmap;
    mapping(uint64 id => QueuedClaim) private _queued;

    /// @notice Tokens locked for the sidechain. `nonce` is unique and contiguous from 1; ETH and ERC-20 share it.
    event Deposited(uint64 indexed nonce, address indexed token, address indexed depositor, bytes32 recipient, uint256 amount);
    /// @notice A withdrawal was paid: `amount - fee` to `recipient` and `fee` to `payer`, the caller
    /// that made the payment happen (`checkpointNumber` is 0 for a queued claim paid later).
    event Claimed(
        uint64 indexed id,
        address indexed token,
        address indexed recipient,
        uint256 amount,
        uint64 checkpointNumber,
        address payer,
        uint256 fee
    );
    /// @notice A large withdrawal was accepted and will be payable from `unlockAt`.
    event ClaimQueued(uint64 indexed id, address indexed token, address indexed recipient, uint256 amount, uint64 unlockAt);
    /// @notice The guardian froze a queued claim; the admin may release it to its recipient from `releasableAt`.
    event QueuedClaimFrozen(uint64 indexed id, address indexed guardian, uint64 releasableAt);
    /// @notice The admin released a frozen claim to its recipient.
    event FrozenClaimReleased(uint64 indexed id, address indexed admin);
    /// @notice Token settings changed.
    event TokenConfigured(
        address indexed token, bool registered, uint128 dailyLimit, uint128 largeClaimThreshold, uint128 minDeposit
    );
    /// @notice The large-claim delay changed.
    event LargeClaimDelaySet(uint64 delay);

    /// @notice The token is not registered with the vault.
    error TokenNotRegistered(address token);
    /// @notice Use `depositETH` for ETH.
    error UseDepositETH();
    /// @notice Deposits must move a non-zero amount.
    error ZeroAmount();
    /// @notice The sidechain recipient must not be zero.
    error ZeroRecipient();
    /// @notice The deposit is below the token's minimum (the sidechain could not mint it).
    error BelowMinDeposit(address token, uint256 amount, uint256 minDeposit);
    /// @notice The sidechain holds amounts as u128; larger deposits are refused.
    error AmountTooLarge(uint256 amount);
    /// @notice The vault or the Checkpoints contract (equivocation, guardian) is paused.
    error BridgePaused();
    /// @notice No non-zero withdrawals root is stored for that checkpoint (it does not exist, or had no withdrawals).
    error UnknownWithdrawalsRoot(uint64 checkpointNumber);
    /// @notice The Merkle proof does not lead from the withdrawal's leaf to the checkpoint's root.
    error InvalidProof();
    /// @notice This withdrawal id was already claimed (or queued).
    error AlreadyClaimed(uint64 id);
    /// @notice The large-claim delay may not exceed `MAX_LARGE_CLAIM_DELAY`.
    error DelayTooLong(uint64 delay, uint64 max);
    /// @notice No claim with that id is queued.
    error NotQueued(uint64 id);
    /// @notice The queued claim unlocks at `unlockAt`.
    error ClaimLocked(uint64 id, uint64 unlockAt);
    /// @notice Queued claims can only be frozen while the vault is paused (incident response).
    error CancelRequiresPause();
    /// @notice The claim is frozen: only the admin releases it (`releaseFrozen`).
    error ClaimFrozen(uint64 id);
    /// @notice The claim is not frozen.
    error NotFrozen(uint64 id);
    /// @notice Zero addresses are not accepted for roles or the checkpoints contract.
    error ZeroAddress();
    /// @notice ETH transfer to `recipient` (the withdrawal's recipient, or the caller for its fee) failed.
    error EthTransferFailed(address recipient, uint256 amount);
    /// @notice The withdrawal names a fee above its amount (the sidechain never burns such a one).
    error FeeAboveAmount(uint64 id, uint256 fee, uint256 amount);

    /// @param checkpoints the Checkpoints contract holding the withdrawals roots.
    /// @param admin DEFAULT_ADMIN_ROLE: token registry, delay, role management.
    /// @param guardian GUARDIAN_ROLE: pause, freeze queued claims.
    constructor(Checkpoints checkpoints, address admin, address guardian) {
        if (address(checkpoints) == address(0) || admin == address(0) || guardian == address(0)) revert ZeroAddress();
        CHECKPOINTS = checkpoints;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
    }

    modifier whenBridgeLive() {
        if (paused() || CHECKPOINTS.paused()) revert BridgePaused();
        _;
    }

    // ------------------------------------------------------------------ hashing (shared formats)

    /// @notice Merkle leaf of a withdrawal payable by this vault on this chain:
    /// `withdrawalLeafFor(block.chainid, address(this), w)`.
    function withdrawalLeaf(Withdrawal calldata w) public view returns (bytes32) {
        return withdrawalLeafFor(block.chainid, address(this), w);
    }

    /// @notice `keccak256(abi.encode(chainId, vault, id, token, recipient, amount, fee))`. Binding the
    /// chain and the vault means a second vault reading the same Checkpoints contract cannot pay a
    /// withdrawal again; binding the fee means no caller picks its own; 224 bytes are hashed, so no
    /// 64-byte inner node passes as a leaf.
    function withdrawalLeafFor(uint256 chainId, address vault, Withdrawal calldata w) public pure returns (bytes32) {
        return keccak256(abi.encode(chainId, vault, w.id, w.token, w.recipient, w.amount, w.fee));
    }

    /// @notice `keccak256(abi.encode(nonce, token, depositor, recipient, amount))`, the hash validators attest.
    function depositHash(uint64 nonce, address token, address depositor, bytes32 recipient, uint256 amount)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(nonce, token, depositor, recipient, amount));
    }

    // ------------------------------------------------------------------ admin

    /// @notice Register, reconfigure or deregister a token (`ETH` = address(0) included).
    /// A daily limit of 0 delays every claim; a threshold of 0 delays every claim. A newly
    /// registered token starts with a full bucket; a reconfigured one keeps what it had (at most
    /// the new limit).
    /// `minDeposit` should be at least the bridged asset's minimum balance on the sidechain, so that
    /// every deposit the vault accepts can be minted there.
    function configureToken(
        address token,
        bool registered,
        uint128 dailyLimit,
        uint128 largeClaimThreshold,
        uint128 minDeposit
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        TokenState memory st = _state[token];
        uint256 available = st.registered ? _available(st, _limits[token].dailyLimit) : dailyLimit;
        if (available > dailyLimit) available = dailyLimit;
        // available <= dailyLimit (uint128); timestamps fit uint40 for 34,000 years.
        // forge-lint: disable-next-line(unsafe-typecast)
        _state[token] = TokenState(registered, uint40(block.timestamp), uint128(available));
        _limits[token] = TokenLimits(dailyLimit, largeClaimThreshold, minDeposit);
        emit TokenConfigured(token, registered, dailyLimit, largeClaimThreshold, minDeposit);
    }

    /// @notice Set the delay for claims above a token's threshold or its limit (at most `MAX_LARGE_CLAIM_DELAY`).
    function setLargeClaimDelay(uint64 delay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (delay > MAX_LARGE_CLAIM_DELAY) revert DelayTooLong(delay, MAX_LARGE_CLAIM_DELAY);
        largeClaimDelay = delay;
        emit LargeClaimDelaySet(delay);
    }

    /// @notice Stop deposits, claims and delayed payouts.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @notice Resume the vault (a paused Checkpoints contract still keeps it stopped). Admin only:
    /// the guardian stops the bridge in an incident, governance decides when it is over.
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ views

    /// @notice Whether `token` is registered (deposits accepted, claims paid).
    function isRegistered(address token) external view returns (bool) {
        return _state[token].registered;
    }

    /// @notice Claim limits of `token`.
    function tokenLimits(address token) external view returns (TokenLimits memory) {
        return _limits[token];
    }

    /// @notice Whether withdrawal `id` was claimed (paid or queued).
    function isClaimed(uint64 id) public view returns (bool) {
        return _claimedBitmap[id >> 8] & (uint256(1) << (id & 0xff)) != 0;
    }

    /// @notice What immediate claims of `token` may pay now (the limit's bucket level).
    function remainingDailyLimit(address token) external view returns (uint256) {
        return _available(_state[token], _limits[token].dailyLimit);
    }

    /// @notice A queued claim (zero fields if none).
    function queuedClaim(uint64 id) external view returns (QueuedClaim memory) {
        return _queued[id];
    }

    // ------------------------------------------------------------------ deposits

    /// @notice Lock `amount` of a registered ERC-20 for `recipient` on the sidechain.
    /// The event carries what the vault actually received (fee-on-transfer tokens credit less).
    function deposit(address token, uint256 amount, bytes32 recipient) external nonReentrant whenBridgeLive {
        if (token == ETH) revert UseDepositETH();
        if (!_state[token].registered) revert TokenNotRegistered(token);
        if (amount == 0) revert ZeroAmount();
        if (recipient == bytes32(0)) revert ZeroRecipient();
        if (amount > type(uint128).max) revert AmountTooLarge(amount);

        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
        if (received > type(uint128).max) revert AmountTooLarge(received);
        _checkMinDeposit(token, received);

        _emitDeposit(token, recipient, received);
    }

    /// @notice Lock `msg.value` ETH for `recipient` on the sidechain (ETH must be registered as address(0)).
    function depositETH(bytes32 recipient) external payable nonReentrant whenBridgeLive {
        if (!_state[ETH].registered) revert TokenNotRegistered(ETH);
        if (msg.value == 0) revert ZeroAmount();
        if (recipient == bytes32(0)) revert ZeroRecipient();
        if (msg.value > type(uint128).max) revert AmountTooLarge(msg.value);
        _checkMinDeposit(ETH, msg.value);
        _emitDeposit(ETH, recipient, msg.value);
    }

    function _checkMinDeposit(address token, uint256 amount) private view {
        uint256 min = _limits[token].minDeposit;
        if (amount < min) revert BelowMinDeposit(token, amount, min);
    }

    function _emitDeposit(address token, bytes32 recipient, uint256 amount) private {
        uint64 nonce = ++lastDepositNonce;
        emit Deposited(nonce, token, msg.sender, recipient, amount);
    }

    // ------------------------------------------------------------------ claims

    /// @notice Claim withdrawal `w`, included in checkpoint `checkpointNumber`, with its Merkle proof.
    /// Anyone may call; `w.recipient` is paid `w.amount - w.fee` and the caller `w.fee` (a recipient
    /// claiming for themselves is paid the whole amount at once). Amounts above the token's threshold
    /// are queued for `largeClaimDelay` (see `executeDelayed`; the fee then goes to whoever executes
    /// it); the others are paid from the token's limit, or queued the same way when the limit does not
    /// cover them right now (never refused). The threshold and the limit apply to the whole amount.
    function claim(Withdrawal calldata w, uint64 checkpointNumber, bytes32[] calldata proof)
        external
        nonReentrant
        whenBridgeLive
    {
        bytes32 root = CHECKPOINTS.withdrawalsRoot(checkpointNumber);
        // Nomad: a zero root (no checkpoint, or an empty period) never proves anything.
        if (root == bytes32(0)) revert UnknownWithdrawalsRoot(checkpointNumber);
        if (!MerkleProof.verifyCalldata(proof, root, withdrawalLeaf(w))) revert InvalidProof();
        // Refused by the sidechain; checked again so that a signed mistake can never pay out more.
        if (w.fee > w.amount) revert FeeAboveAmount(w.id, w.fee, w.amount);

        {
            uint256 word = w.id >> 8;
            uint256 bit = uint256(1) << (w.id & 0xff);
            uint256 bits = _claimedBitmap[word];
            if (bits & bit != 0) revert AlreadyClaimed(w.id);
            _claimedBitmap[word] = bits | bit;
        }

        TokenState memory st = _state[w.token];
        if (!st.registered) revert TokenNotRegistered(w.token);
        TokenLimits memory lim = _limits[w.token];

        if (w.amount > lim.largeClaimThreshold || !_spendLimit(w.token, st, w.amount, lim.dailyLimit)) {
            uint64 unlockAt = uint64(block.timestamp) + largeClaimDelay;
            _queued[w.id] = QueuedClaim(w.token, unlockAt, false, w.recipient, w.amount, w.fee);
            emit ClaimQueued(w.id, w.token, w.recipient, w.amount, unlockAt);
            return;
        }
        emit Claimed(w.id, w.token, w.recipient, w.amount, checkpointNumber, msg.sender, w.fee);
        _payWithFee(w.token, w.recipient, w.amount, w.fee);
    }

    /// @notice Pay a queued claim once its delay has passed, or earlier for a claim within the
    /// threshold as soon as the token's limit covers it (it then counts against the limit). Anyone may
    /// call: the recipient is paid the amount less the fee, and the caller the fee.
    /// @dev Claims paid after the delay do not count against the limit (as in Ronin v3's locked
    /// withdrawals): their protection is the delay, during which the guardian can pause and freeze.
    function executeDelayed(uint64 id) external nonReentrant whenBridgeLive {
        QueuedClaim memory q = _queued[id];
        if (q.unlockAt == 0) revert NotQueued(id);
        if (q.frozen) revert ClaimFrozen(id);
        if (block.timestamp < q.unlockAt) {
            TokenLimits memory lim = _limits[q.token];
            if (q.amount > lim.largeClaimThreshold || !_spendLimit(q.token, _state[q.token], q.amount, lim.dailyLimit)) {
                revert ClaimLocked(id, q.unlockAt);
            }
        }
        delete _queued[id];
        emit Claimed(id, q.token, q.recipient, q.amount, 0, msg.sender, q.fee);
        _payWithFee(q.token, q.recipient, q.amount, q.fee);
    }

    /// @notice Guardian: freeze a queued claim during an incident (vault must be paused). The id stays
    /// spent and the claim stays recorded: nobody can pay it until the admin releases it to its
    /// recipient, no earlier than `FROZEN_RELEASE_DELAY` from now.
    function cancelQueued(uint64 id) external onlyRole(GUARDIAN_ROLE) {
        if (!paused()) revert CancelRequiresPause();
        QueuedClaim storage q = _queued[id];
        if (q.unlockAt == 0) revert NotQueued(id);
        if (q.frozen) revert ClaimFrozen(id);
        uint64 releasableAt = uint64(block.timestamp) + FROZEN_RELEASE_DELAY;
        q.frozen = true;
        q.unlockAt = releasableAt;
        emit QueuedClaimFrozen(id, msg.sender, releasableAt);
    }

    /// @notice Admin: pay a frozen claim to its recipient once `FROZEN_RELEASE_DELAY` has passed since
    /// it was frozen (a withdrawal judged forged is simply never released). The recipient gets the whole
    /// amount: the fee pays for making a payment happen, and governance takes none.
    function releaseFrozen(uint64 id) external nonReentrant whenBridgeLive onlyRole(DEFAULT_ADMIN_ROLE) {
        QueuedClaim memory q = _queued[id];
        if (!q.frozen) revert NotFrozen(id);
        if (block.timestamp < q.unlockAt) revert ClaimLocked(id, q.unlockAt);
        delete _queued[id];
        emit FrozenClaimReleased(id, msg.sender);
        emit Claimed(id, q.token, q.recipient, q.amount, 0, msg.sender, 0);
        _pay(q.token, q.recipient, q.amount);
    }

    /// @dev The bucket level now: the stored level plus the refill since, capped at `limit`.
    function _available(TokenState memory st, uint256 limit) private view returns (uint256) {
        uint256 level = st.available;
        if (level >= limit) return limit;
        // limit < 2^128 and the elapsed time < 2^40: no overflow.
        level += (limit * (block.timestamp - st.updatedAt)) / 1 days;
        return level > limit ? limit : level;
    }

    /// @dev Take `amount` from the token's bucket if it holds that much; false (nothing taken) otherwise.
    function _spendLimit(address token, TokenState memory st, uint256 amount, uint256 limit) private returns (bool) {
        uint256 level = _available(st, limit);
        if (amount > level) return false;
        // level - amount <= limit <= uint128 max; timestamps fit uint40.
        // forge-lint: disable-next-line(unsafe-typecast)
        _state[token] = TokenState(st.registered, uint40(block.timestamp), uint128(level - amount));
        return true;
    }

    /// @dev Pay `amount - fee` to `recipient` and `fee` to the caller (fee <= amount, checked by `claim`),
    /// in one transfer when the caller is the recipient or there is no fee, and skipping a zero one.
    function _payWithFee(address token, address recipient, uint256 amount, uint256 fee) private {
        if (fee == 0 || msg.sender == recipient) {
            _pay(token, recipient, amount);
            return;
        }
        if (amount > fee) _pay(token, recipient, amount - fee);
        _pay(token, msg.sender, fee);
    }

    function _pay(address token, address recipient, uint256 amount) private {
        if (token == ETH) {
            (bool ok,) = recipient.call{value: amount}("");
            if (!ok) revert EthTransferFailed(recipient, amount);
        } else {
            IERC20(token).safeTransfer(recipient, amount);
        }
    }
}
