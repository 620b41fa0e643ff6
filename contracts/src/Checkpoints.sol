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
/// `installValidatorSet` and `proveEquivocation`; the contract checks everything. There is
/// deliberately no admin path that changes the validator set (Poly Network 2021). The admin can only
/// pause/unpause (unpausing is how governance resumes after an equivocation has been dealt with).
contract Checkpoints is EIP712, AccessControl, Pausable {
    /// @notice Accounts allowed to pause (never to unpause or to touch the validator set).
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

    /// @dev Upper bound keeps `submit`'s loop and `_validators` rewrites bounded.
    uint256 public constant MAX_VALIDATORS = 256;

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

    function _installSet(uint64 setId, address[] memory newValidators, bytes32 setHash) private {
        uint256 n = newValidators.length;
        if (n == 0) revert EmptyValidatorSet();
        if (n > MAX_VALIDATORS) revert ValidatorSetTooLarge(n);
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
