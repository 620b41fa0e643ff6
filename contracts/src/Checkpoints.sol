// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @notice A Ludus sidechain checkpoint, exactly as in `notes/bridge-formats.md` (EIP-712 type `Checkpoint`).
struct Checkpoint {
    bytes32 sidechainGenesis;
    uint64 number; // 1, 2, 3 … contiguous
    uint32 firstBlock;
    uint32 lastBlock;
    bytes32 lastBlockHash;
    bytes32 withdrawalsRoot; // 0 when the period has no withdrawals
    uint64 validatorSetId; // the set that signs this checkpoint
    bytes32 nextValidatorSetHash; // hash of the set for the next checkpoint (= current set's hash if unchanged)
}

/// @title Ludus checkpoints: the L1 anchor of the Ludus sidechain.
/// @notice Holds the current bridge validator set and accepts checkpoints signed by more than two
/// thirds of it. Each accepted checkpoint stores its withdrawals Merkle root, which the Vault
/// proves claims against. The set changes only to a set whose hash a checkpoint committed to, and
/// two validly signed checkpoints with the same number (equivocation) pause the bridge.
/// @dev Trust model: the validators. Relayers are untrusted: anyone may call `submit`,
/// `installValidatorSet`, `proveEquivocation` and `executeRecovery`; the contract checks everything.
/// No single key changes the validator set (Poly Network 2021): the only path besides a signed
/// handoff is the recovery for a lost set, which the admin (governance) proposes, which waits
/// `RECOVERY_DELAY` (7 days) during which the guardian can cancel it, and which any accepted
/// checkpoint or handoff makes void, so a set that can still sign defeats it by posting a checkpoint.
contract Checkpoints is EIP712, AccessControl, Pausable {
    /// @notice Accounts allowed to pause and to cancel a recovery (never to unpause or to install a set).
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice EIP-712 type hash of {Checkpoint}.
    bytes32 public constant CHECKPOINT_TYPEHASH = keccak256(
        "Checkpoint(bytes32 sidechainGenesis,uint64 number,uint32 firstBlock,uint32 lastBlock,bytes32 lastBlockHash,bytes32 withdrawalsRoot,uint64 validatorSetId,bytes32 nextValidatorSetHash)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("Ludus Checkpoints");
    bytes32 private constant VERSION_HASH = keccak256("1");

    /// @notice Genesis hash of the sidechain whose checkpoints this contract accepts.
    bytes32 public immutable SIDECHAIN_GENESIS;

    // The following four variables share one storage slot with Pausable's `_paused`, so `submit`
    // reads the whole hot state with one SLOAD.
    /// @notice Number of the last accepted checkpoint (`firstCheckpoint - 1` before the first).
    uint64 public latestCheckpoint;
    /// @notice Id of the validator set that must sign the next checkpoint.
    uint64 public currentSetId;
    /// @notice Number of validators in the current set (never 0).
    uint32 public currentSetSize;
    /// @notice True between a checkpoint that committed to a new set and `installValidatorSet`.
    bool public handoffPending;

    /// @notice `validatorSetHash(currentSetId, validators())`.
    bytes32 public currentSetHash;
    /// @notice Hash of the next set committed to by the last checkpoint (0 when no handoff is pending).
    bytes32 public pendingSetHash;

    /// @notice A governance handoff waiting out `RECOVERY_DELAY` (all zero when none is pending).
    /// @dev `basedOnCheckpoint`/`basedOnSetId` are the contract's state when it was proposed: any
    /// accepted checkpoint or installed set since then proves the old set can still sign (or has
    /// handed off), and the proposal can no longer execute.
    struct RecoveryProposal {
        bytes32 setHash; // validatorSetHash(setId, members)
        uint64 setId;
        uint64 nextCheckpoint; // first checkpoint number the new set signs
        uint64 basedOnCheckpoint; // latestCheckpoint when proposed
        uint64 basedOnSetId; // currentSetId when proposed
        uint64 executableAt; // timestamp from which anyone may execute it
    }

    /// @notice The pending recovery proposal, if any (`executableAt == 0` when none).
    RecoveryProposal public recovery;

    address[] private _validators;
    /// @dev validator => (id + 1) of the latest set it was installed in; a member of the current set
    /// iff this equals `currentSetId + 1`. Avoids clearing the old set on a handoff.
    mapping(address validator => uint256 setIdPlusOne) private _memberOf;
    mapping(uint64 number => bytes32 root) private _withdrawalsRoots;

    /// @notice A checkpoint was accepted.
    event CheckpointSubmitted(
        uint64 indexed number,
        uint64 indexed validatorSetId,
        bytes32 withdrawalsRoot,
        uint32 firstBlock,
        uint32 lastBlock,
        bytes32 lastBlockHash,
        uint256 signatures
    );
    /// @notice A checkpoint committed to a different next validator set; install it with `installValidatorSet`.
    event ValidatorSetCommitted(uint64 indexed checkpointNumber, uint64 indexed nextSetId, bytes32 nextSetHash);
    /// @notice A validator set became current (also emitted by the constructor).
    event ValidatorSetInstalled(uint64 indexed setId, bytes32 setHash, address[] validators);
    /// @notice Two different checkpoints with the same number were both validly signed; the bridge is paused.
    event EquivocationProven(uint64 indexed number, bytes32 structHashA, bytes32 structHashB, address reporter);
    /// @notice Governance proposed to install `validators` as set `setId` without a signed handoff; anyone
    /// may execute it from `executableAt` unless the guardian cancels it or a checkpoint arrives first.
    event RecoveryProposed(
        uint64 indexed setId,
        bytes32 setHash,
        address[] validators,
        uint64 nextCheckpoint,
        uint64 executableAt,
        address proposer
    );
    /// @notice A pending recovery was cancelled (by the guardian, or replaced by a new proposal).
    event RecoveryCancelled(uint64 indexed setId, bytes32 setHash, address by);
    /// @notice A recovery installed set `setId`; the next checkpoint accepted is `nextCheckpoint`
    /// (followed by `ValidatorSetInstalled`).
    event RecoveryExecuted(uint64 indexed setId, bytes32 setHash, uint64 nextCheckpoint, address executor);

    /// @notice A validator set must have at least one member.
    error EmptyValidatorSet();
    /// @notice A validator set must be sorted strictly ascending (no duplicates, no zero address); `index` is the first offender.
    error ValidatorsNotSorted(uint256 index);
    /// @notice The set has more members than this contract supports.
    error ValidatorSetTooLarge(uint256 size);
    /// @notice The admin must be a non-zero address.
    error ZeroAdmin();
    /// @notice Checkpoint numbers start at 1.
    error ZeroFirstCheckpoint();
    /// @notice Checkpoints are contiguous: the next one must be `expected`.
    error UnexpectedCheckpointNumber(uint64 expected, uint64 got);
    /// @notice The checkpoint belongs to another sidechain.
    error WrongSidechain(bytes32 expected, bytes32 got);
    /// @notice The checkpoint must be signed by the current set `expected`.
    error WrongValidatorSet(uint64 expected, uint64 got);
    /// @notice A new set was committed and must be installed (`installValidatorSet`) before further checkpoints.
    error ValidatorSetHandoffPending(bytes32 pendingSetHash);
    /// @notice Signature `index` is malformed (length ≠ 65, v ∉ {27,28}, high s, or does not recover).
    error InvalidSignature(uint256 index);
    /// @notice Signature `index` recovers to `signer`, who is not in the current set.
    error SignerNotInSet(uint256 index, address signer);
    /// @notice Signers must be strictly ascending by address (this also rules out the same signer twice).
    error SignersNotAscending(uint256 index, address signer);
    /// @notice More than two thirds of the set must sign: `3 * signatures > 2 * setSize`.
    error InsufficientSignatures(uint256 signatures, uint256 setSize);
    /// @notice No checkpoint committed to a new validator set.
    error NoPendingValidatorSet();
    /// @notice The next set must have id `expected`.
    error UnexpectedValidatorSetId(uint64 expected, uint64 got);
    /// @notice The offered set does not hash to what the last checkpoint committed to.
    error ValidatorSetNotCommitted(bytes32 committed, bytes32 offered);
    /// @notice Equivocation needs two checkpoints with the same number and different contents.
    error NotEquivocation();
    /// @notice A recovered set's id must be above the current one (`current`), so no member of an old
    /// set counts again, and below 2^64 - 1, so the next handoff still has an id.
    error InvalidRecoverySetId(uint64 current, uint64 got);
    /// @notice A recovery resumes after the last accepted checkpoint (at `min` or later) and below 2^64 - 1.
    error InvalidRecoveryCheckpoint(uint64 min, uint64 got);
    /// @notice No recovery is pending.
    error NoRecoveryPending();
    /// @notice The recovery's delay has not passed: executable from `executableAt`.
    error RecoveryTimelocked(uint64 executableAt);
    /// @notice A checkpoint or a handoff was accepted after the recovery was proposed: the set it
    /// replaces can still sign, so it no longer applies.
    error RecoveryObsolete();
    /// @notice The members offered do not hash to the proposed set.
    error RecoverySetMismatch(bytes32 proposed, bytes32 offered);

    /// @dev Upper bound keeps `submit`'s loop and `_validators` rewrites bounded.
    uint256 public constant MAX_VALIDATORS = 256;

    /// @notice Time between a recovery proposal and its execution: long enough for the guardian, the
    /// validators and users to react (cancel, post a checkpoint, or leave), short enough that a frozen
    /// bridge does not stay frozen long. A constant: a settable delay would itself need a timelock.
    uint64 public constant RECOVERY_DELAY = 7 days;

    /// @param sidechainGenesis genesis hash of the Ludus sidechain.
    /// @param firstCheckpoint number of the first checkpoint `submit` accepts (≥ 1): the sidechain
    /// may have fixed checkpoints before this contract existed (it needs the genesis hash first), and
    /// those are never signed for this contract, so starting at 1 would wait for them for ever.
    /// @param initialSetId id of `initialValidators` on the sidechain: the set that signs `firstCheckpoint`.
    /// @param initialValidators bridge validator addresses, strictly ascending, non-empty.
    /// @param admin receives DEFAULT_ADMIN_ROLE (unpause, grant roles, propose a recovery) and GUARDIAN_ROLE (pause).
    constructor(
        bytes32 sidechainGenesis,
        uint64 firstCheckpoint,
        uint64 initialSetId,
        address[] memory initialValidators,
        address admin
    ) EIP712("Ludus Checkpoints", "1") {
        if (admin == address(0)) revert ZeroAdmin();
        if (firstCheckpoint == 0) revert ZeroFirstCheckpoint();
        SIDECHAIN_GENESIS = sidechainGenesis;
        latestCheckpoint = firstCheckpoint - 1;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, admin);
        _installSet(initialSetId, initialValidators, _hashSetMemory(initialSetId, initialValidators));
    }

    // ------------------------------------------------------------------ hashing (shared formats)

    /// @notice EIP-712 struct hash of a checkpoint.
    function structHash(Checkpoint calldata cp) public pure returns (bytes32) {
        return keccak256(
            abi.encode(
                CHECKPOINT_TYPEHASH,
                cp.sidechainGenesis,
                cp.number,
                cp.firstBlock,
                cp.lastBlock,
                cp.lastBlockHash,
                cp.withdrawalsRoot,
                cp.validatorSetId,
                cp.nextValidatorSetHash
            )
        );
    }

    /// @notice The full EIP-712 digest validators sign, for any chain id and contract address.
    function hashTypedCheckpoint(uint256 chainId, address verifyingContract, Checkpoint calldata cp)
        public
        pure
        returns (bytes32)
    {
        bytes32 domain = keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, chainId, verifyingContract));
        return keccak256(abi.encodePacked(hex"1901", domain, structHash(cp)));
    }

    /// @notice The digest `submit` verifies: `hashTypedCheckpoint(block.chainid, address(this), cp)`
    /// (computed with OpenZeppelin's cached domain separator, which is rebuilt after a chain fork).
    function checkpointDigest(Checkpoint calldata cp) public view returns (bytes32) {
        return _hashTypedDataV4(structHash(cp));
    }

    /// @notice `keccak256(abi.encode(uint64 setId, address[] validators))`.
    function validatorSetHash(uint64 setId, address[] calldata members) public pure returns (bytes32) {
        return keccak256(abi.encode(setId, members));
    }

    // ------------------------------------------------------------------ views

    /// @notice Withdrawals root stored for checkpoint `number` (0 if it does not exist or had no withdrawals).
    function withdrawalsRoot(uint64 number) external view returns (bytes32) {
        return _withdrawalsRoots[number];
    }

    /// @notice Members of the current validator set, ascending.
    function validators() external view returns (address[] memory) {
        return _validators;
    }

    /// @notice Whether `account` is in the current validator set.
    function isValidator(address account) public view returns (bool) {
        return _memberOf[account] == uint256(currentSetId) + 1;
    }

    // ------------------------------------------------------------------ state changes

    /// @notice Accept the next checkpoint. Anyone may call; the signatures carry the authority.
    /// @param signatures 65-byte `r‖s‖v` signatures of `checkpointDigest(cp)` by distinct members of
    /// the current set, ordered by ascending signer address; more than two thirds of the set.
    function submit(Checkpoint calldata cp, bytes[] calldata signatures) external whenNotPaused {
        if (handoffPending) revert ValidatorSetHandoffPending(pendingSetHash);
        uint64 expected = latestCheckpoint + 1;
        if (cp.number != expected) revert UnexpectedCheckpointNumber(expected, cp.number);
        _checkSigned(cp, signatures);

        latestCheckpoint = expected;
        // A zero root is not stored: it would read back as "no checkpoint", which proves nothing anyway.
        if (cp.withdrawalsRoot != bytes32(0)) _withdrawalsRoots[expected] = cp.withdrawalsRoot;
        emit CheckpointSubmitted(
            expected, cp.validatorSetId, cp.withdrawalsRoot, cp.firstBlock, cp.lastBlock, cp.lastBlockHash, signatures.length
        );

        if (cp.nextValidatorSetHash != currentSetHash) {
            handoffPending = true;
            pendingSetHash = cp.nextValidatorSetHash;
            emit ValidatorSetCommitted(expected, currentSetId + 1, cp.nextValidatorSetHash);
        }
    }

    /// @notice Install the set the last checkpoint committed to. Anyone may call; the hash carries the authority.
    function installValidatorSet(uint64 setId, address[] calldata newValidators) external whenNotPaused {
        if (!handoffPending) revert NoPendingValidatorSet();
        uint64 expected = currentSetId + 1;
        if (setId != expected) revert UnexpectedValidatorSetId(expected, setId);
        bytes32 offered = validatorSetHash(setId, newValidators);
        bytes32 committed = pendingSetHash;
        if (offered != committed) revert ValidatorSetNotCommitted(committed, offered);
        handoffPending = false;
        pendingSetHash = bytes32(0);
        _installSet(setId, newValidators, offered);
    }

    /// @notice Prove that the current set signed two different checkpoints with the same number; pauses the bridge.
    function proveEquivocation(
        Checkpoint calldata a,
        bytes[] calldata signaturesA,
        Checkpoint calldata b,
        bytes[] calldata signaturesB
    ) external whenNotPaused {
        bytes32 hashA = structHash(a);
        bytes32 hashB = structHash(b);
        if (a.number != b.number || hashA == hashB) revert NotEquivocation();
        _checkSigned(a, signaturesA);
        _checkSigned(b, signaturesB);
        _pause();
        emit EquivocationProven(a.number, hashA, hashB, msg.sender);
    }

    // ------------------------------------------------------------------ recovery of a lost set

    /// @notice Admin (governance): propose installing `members` as set `setId` when the current set
    /// can no longer sign (more than a third of it is lost, so the handoff checkpoint never comes).
    /// Replaces any pending proposal and restarts the delay. Works while paused (an equivocating set
    /// is replaced this way). Emits `RecoveryProposed`.
    /// @param setId the sidechain's id for the new set (above `currentSetId`): checkpoints must then
    /// carry it, and commit to `validatorSetHash(setId, members)` to keep the set.
    /// @param members the new set, strictly ascending, non-empty, at most `MAX_VALIDATORS`.
    /// @param nextCheckpoint number of the first checkpoint the new set signs, at least
    /// `latestCheckpoint + 1`. Skipping numbers is only for checkpoints the sidechain will never sign
    /// again: a withdrawal committed only in a skipped checkpoint cannot be claimed on the L1.
    function proposeRecovery(uint64 setId, address[] calldata members, uint64 nextCheckpoint)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        uint64 currentId = currentSetId;
        if (setId <= currentId || setId == type(uint64).max) revert InvalidRecoverySetId(currentId, setId);
        uint64 latest = latestCheckpoint;
        if (nextCheckpoint <= latest || nextCheckpoint == type(uint64).max) {
            revert InvalidRecoveryCheckpoint(latest + 1, nextCheckpoint);
        }
        _checkSetShape(members);

        RecoveryProposal memory old = recovery;
        if (old.executableAt != 0) emit RecoveryCancelled(old.setId, old.setHash, msg.sender);

        bytes32 setHash = validatorSetHash(setId, members);
        uint64 executableAt = uint64(block.timestamp) + RECOVERY_DELAY;
        recovery = RecoveryProposal(setHash, setId, nextCheckpoint, latest, currentId, executableAt);
        emit RecoveryProposed(setId, setHash, members, nextCheckpoint, executableAt, msg.sender);
    }

    /// @notice Guardian: cancel the pending recovery. Emits `RecoveryCancelled`.
    function cancelRecovery() external onlyRole(GUARDIAN_ROLE) {
        RecoveryProposal memory p = recovery;
        if (p.executableAt == 0) revert NoRecoveryPending();
        delete recovery;
        emit RecoveryCancelled(p.setId, p.setHash, msg.sender);
    }

    /// @notice Install the proposed set once `RECOVERY_DELAY` has passed, if no checkpoint or handoff
    /// was accepted since the proposal. Anyone may call; `members` must be the proposed set. Clears a
    /// pending handoff (its set is replaced) and moves the next expected checkpoint to the proposal's
    /// `nextCheckpoint`. Works while paused; unpausing stays the admin's decision. Emits
    /// `RecoveryExecuted` and `ValidatorSetInstalled`.
    function executeRecovery(address[] calldata members) external {
        RecoveryProposal memory p = recovery;
        if (p.executableAt == 0) revert NoRecoveryPending();
        if (block.timestamp < p.executableAt) revert RecoveryTimelocked(p.executableAt);
        if (latestCheckpoint != p.basedOnCheckpoint || currentSetId != p.basedOnSetId) revert RecoveryObsolete();
        bytes32 offered = validatorSetHash(p.setId, members);
        if (offered != p.setHash) revert RecoverySetMismatch(p.setHash, offered);

        delete recovery;
        handoffPending = false;
        pendingSetHash = bytes32(0);
        latestCheckpoint = p.nextCheckpoint - 1;
        emit RecoveryExecuted(p.setId, p.setHash, p.nextCheckpoint, msg.sender);
        _installSet(p.setId, members, offered);
    }

    // ------------------------------------------------------------------ pause

    /// @notice Guardian stop: refuses checkpoints, handoffs and (through the Vault) deposits and claims.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @notice Resume after an incident (admin only, not the guardian).
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------ internals

    /// @dev The signature rules shared by `submit` and `proveEquivocation`.
    function _checkSigned(Checkpoint calldata cp, bytes[] calldata signatures) private view {
        if (cp.sidechainGenesis != SIDECHAIN_GENESIS) revert WrongSidechain(SIDECHAIN_GENESIS, cp.sidechainGenesis);
        uint64 setId = currentSetId;
        if (cp.validatorSetId != setId) revert WrongValidatorSet(setId, cp.validatorSetId);

        bytes32 digest = checkpointDigest(cp);
        uint256 memberTag = uint256(setId) + 1;
        uint256 count = signatures.length;
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(i);
            // Strictly ascending: rejects the same signer twice without a seen-set.
            if (signer <= previous) revert SignersNotAscending(i, signer);
            if (_memberOf[signer] != memberTag) revert SignerNotInSet(i, signer);
            previous = signer;
        }
        // The set is never empty, so this also rules out zero signatures (no zero threshold).
        uint256 size = currentSetSize;
        if (3 * count <= 2 * size) revert InsufficientSignatures(count, size);
    }

    /// @dev Size limits of a set; `_installSet` checks the order as it writes (and `_checkSetShape`
    /// for a proposal, which is not written yet).
    function _checkSetSize(uint256 n) private pure {
        if (n == 0) revert EmptyValidatorSet();
        if (n > MAX_VALIDATORS) revert ValidatorSetTooLarge(n);
    }

    function _checkSetShape(address[] calldata members) private pure {
        uint256 n = members.length;
        _checkSetSize(n);
        address previous = address(0);
        for (uint256 i = 0; i < n; ++i) {
            if (members[i] <= previous) revert ValidatorsNotSorted(i);
            previous = members[i];
        }
    }

    function _installSet(uint64 setId, address[] memory newValidators, bytes32 setHash) private {
        uint256 n = newValidators.length;
        _checkSetSize(n);
        uint256 tag = uint256(setId) + 1;
        address previous = address(0);
        delete _validators;
        for (uint256 i = 0; i < n; ++i) {
            address v = newValidators[i];
            if (v <= previous) revert ValidatorsNotSorted(i);
            _memberOf[v] = tag;
            _validators.push(v);
            previous = v;
        }
        currentSetId = setId;
        // n <= MAX_VALIDATORS (256), so it fits uint32.
        // forge-lint: disable-next-line(unsafe-typecast)
        currentSetSize = uint32(n);
        currentSetHash = setHash;
        emit ValidatorSetInstalled(setId, setHash, newValidators);
    }

    function _hashSetMemory(uint64 setId, address[] memory vals) private pure returns (bytes32) {
        return keccak256(abi.encode(setId, vals));
    }
}
