// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Checkpoints, Checkpoint} from "../src/Checkpoints.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Fixture} from "./utils/Fixture.sol";

contract CheckpointsTest is Fixture {
    event CheckpointSubmitted(
        uint64 indexed number,
        uint64 indexed validatorSetId,
        bytes32 withdrawalsRoot,
        uint32 firstBlock,
        uint32 lastBlock,
        bytes32 lastBlockHash,
        uint256 signatures
    );
    event ValidatorSetCommitted(uint64 indexed checkpointNumber, uint64 indexed nextSetId, bytes32 nextSetHash);
    event ValidatorSetInstalled(uint64 indexed setId, bytes32 setHash, address[] validators);
    event RecoveryProposed(
        uint64 indexed setId,
        bytes32 setHash,
        address[] validators,
        uint64 nextCheckpoint,
        uint64 executableAt,
        address proposer
    );
    event RecoveryCancelled(uint64 indexed setId, bytes32 setHash, address by);
    event RecoveryExecuted(uint64 indexed setId, bytes32 setHash, uint64 nextCheckpoint, address executor);

    function setUp() public {
        deployCheckpoints(4);
    }

    // ------------------------------------------------------------ construction

    function test_constructor_installsInitialSet() public view {
        assertEq(cps.currentSetId(), 0, "set id");
        assertEq(cps.currentSetSize(), 4, "set size");
        assertEq(cps.currentSetHash(), keccak256(abi.encode(uint64(0), vals)), "set hash");
        assertEq(cps.latestCheckpoint(), 0, "no checkpoint yet");
        assertEq(cps.SIDECHAIN_GENESIS(), GENESIS, "genesis");
        for (uint256 i = 0; i < vals.length; ++i) assertTrue(cps.isValidator(vals[i]), "member");
        assertTrue(!cps.isValidator(address(0xBEEF)), "non-member");
        address[] memory stored = cps.validators();
        assertEq(stored.length, 4, "validators()");
    }

    function test_Ronin2024_uninitialisedEmptySetRejected() public {
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.EmptyValidatorSet.selector));
        new Checkpoints(GENESIS, 1, 0, new address[](0), admin);
    }

    function test_constructor_unsortedOrDuplicateSetRejected() public {
        address[] memory v = new address[](3);
        v[0] = address(1);
        v[1] = address(3);
        v[2] = address(2);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorsNotSorted.selector, 2));
        new Checkpoints(GENESIS, 1, 0, v, admin);
        v[2] = address(3);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorsNotSorted.selector, 2));
        new Checkpoints(GENESIS, 1, 0, v, admin);
        v[0] = address(0);
        v[1] = address(2);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorsNotSorted.selector, 0));
        new Checkpoints(GENESIS, 1, 0, v, admin);
    }

    function test_constructor_zeroAdminRejected() public {
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ZeroAdmin.selector));
        new Checkpoints(GENESIS, 1, 0, vals, address(0));
    }

    /// Issue 9, item 1: the sidechain fixed checkpoints before this contract existed (it needs the
    /// genesis hash first, and the sidechain its address); the contract starts where it is told.
    function test_constructor_startsAtTheGivenCheckpointNumber() public {
        cps = new Checkpoints(GENESIS, 65, 0, vals, admin);
        assertEq(cps.latestCheckpoint(), 64, "nothing accepted yet");
        Checkpoint memory cp = nextCp(keccak256("root"));
        assertEq(cp.number, 65, "the next number is the first one");
        Checkpoint memory early = nextCp(keccak256("root"));
        early.number = 1;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.UnexpectedCheckpointNumber.selector, 65, 1));
        cps.submit(early, signCp(early, 3));
        cps.submit(cp, signCp(cp, 3));
        assertEq(cps.latestCheckpoint(), 65, "accepted");
        assertEq(cps.withdrawalsRoot(65), keccak256("root"), "root stored");

        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ZeroFirstCheckpoint.selector));
        new Checkpoints(GENESIS, 0, 0, vals, admin);
    }

    // ------------------------------------------------------------ hashing helpers

    function test_hashing_matchesFormatsFile() public view {
        Checkpoint memory cp = nextCp(keccak256("root"));
        assertEq(cps.structHash(cp), structHashOf(cp), "structHash");
        bytes32 digest = digestOf(cp, block.chainid, address(cps));
        assertEq(cps.hashTypedCheckpoint(block.chainid, address(cps), cp), digest, "hashTypedCheckpoint");
        assertEq(cps.checkpointDigest(cp), digest, "checkpointDigest");
        assertTrue(cps.hashTypedCheckpoint(block.chainid + 1, address(cps), cp) != digest, "chain id in domain");
        assertEq(cps.validatorSetHash(0, vals), keccak256(abi.encode(uint64(0), vals)), "validatorSetHash");
    }

    // ------------------------------------------------------------ submit: happy paths

    function test_submit_threeOfFourAccepted() public {
        Checkpoint memory cp = nextCp(keccak256("root1"));
        bytes[] memory sigs = signCp(cp, 3);
        vm.expectEmit();
        emit CheckpointSubmitted(1, 0, cp.withdrawalsRoot, cp.firstBlock, cp.lastBlock, cp.lastBlockHash, 3);
        cps.submit(cp, sigs);
        assertEq(cps.latestCheckpoint(), 1, "latest");
        assertEq(cps.withdrawalsRoot(1), keccak256("root1"), "root stored");
        assertTrue(!cps.handoffPending(), "no handoff");
    }

    function test_submit_allSignaturesAccepted_andAnyoneMayRelay() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 4);
        vm.prank(address(0xDEAD));
        cps.submit(cp, sigs);
        assertEq(cps.latestCheckpoint(), 1, "latest");
    }

    function test_submit_emptyPeriodStoresNoRoot() public {
        submitRoot(bytes32(0));
        assertEq(cps.latestCheckpoint(), 1, "accepted");
        assertEq(cps.withdrawalsRoot(1), bytes32(0), "zero root");
        submitRoot(keccak256("x"));
        assertEq(cps.withdrawalsRoot(2), keccak256("x"), "next root");
    }

    // ------------------------------------------------------------ Ronin 2022

    function test_Ronin2022_exactlyTwoThirdsRejected() public {
        deployCheckpoints(6);
        Checkpoint memory cp = nextCp(keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 4, 6));
        cps.submit(cp, signCp(cp, 4));
        cps.submit(cp, signCp(cp, 5));
        assertEq(cps.latestCheckpoint(), 1, "5 of 6 accepted");

        deployCheckpoints(3);
        cp = nextCp(keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 2, 3));
        cps.submit(cp, signCp(cp, 2));
    }

    function test_Ronin2022_twoOfFourRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 2, 4));
        cps.submit(cp, signCp(cp, 2));
    }

    function test_Ronin2022_signerOutsideSetRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes32 digest = cps.checkpointDigest(cp);
        (uint256[] memory outsiders, address[] memory outAddrs) = makeSet(1, 99);
        // Three members plus one outsider, in ascending address order, so only membership can fail.
        uint256[] memory mixed = new uint256[](4);
        address[] memory mixedAddrs = new address[](4);
        for (uint256 i = 0; i < 3; ++i) {
            mixed[i] = keys[i];
            mixedAddrs[i] = vals[i];
        }
        mixed[3] = outsiders[0];
        mixedAddrs[3] = outAddrs[0];
        for (uint256 i = 3; i > 0 && mixedAddrs[i - 1] > mixedAddrs[i]; --i) {
            (mixedAddrs[i - 1], mixedAddrs[i]) = (mixedAddrs[i], mixedAddrs[i - 1]);
            (mixed[i - 1], mixed[i]) = (mixed[i], mixed[i - 1]);
        }
        uint256 pos;
        for (uint256 i = 0; i < 4; ++i) if (mixedAddrs[i] == outAddrs[0]) pos = i;
        bytes[] memory sigs = signDigest(digest, mixed, 4);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.SignerNotInSet.selector, pos, outAddrs[0]));
        cps.submit(cp, sigs);
    }

    function test_Ronin2022_formerValidatorRejectedAfterHandoff() public {
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(4, 2);
        _handoff(newKeys, newVals);
        // The old set tries to sign under the new set id.
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes32 digest = cps.checkpointDigest(cp);
        (uint256[] memory oldKeys, address[] memory oldVals) = makeSet(4, 1);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.SignerNotInSet.selector, 0, oldVals[0]));
        cps.submit(cp, signDigest(digest, oldKeys, 4));
    }

    // ------------------------------------------------------------ Ronin 2024 / Nomad (thresholds)

    function test_Ronin2024_zeroSignaturesRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 0, 4));
        cps.submit(cp, new bytes[](0));
    }

    function test_Ronin2024_handoffToEmptySetRejected() public {
        address[] memory empty = new address[](0);
        Checkpoint memory cp = nextCp(bytes32(0));
        cp.nextValidatorSetHash = keccak256(abi.encode(uint64(1), empty));
        cps.submit(cp, signCp(cp, 3));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.EmptyValidatorSet.selector));
        cps.installValidatorSet(1, empty);
    }

    function test_Ronin2024_singleValidatorMustSign() public {
        deployCheckpoints(1);
        Checkpoint memory cp = nextCp(bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 0, 1));
        cps.submit(cp, new bytes[](0));
        cps.submit(cp, signCp(cp, 1));
        assertEq(cps.latestCheckpoint(), 1, "1 of 1");
    }

    // ------------------------------------------------------------ Wormhole (spoofed verification)

    function test_Wormhole_malformedSignatureLengthRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 3);
        bytes memory good = sigs[0];
        bytes memory short64 = new bytes(64);
        for (uint256 i = 0; i < 64; ++i) short64[i] = good[i];
        sigs[0] = short64;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidSignature.selector, 0));
        cps.submit(cp, sigs);
        sigs[0] = abi.encodePacked(good, bytes1(0));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidSignature.selector, 0));
        cps.submit(cp, sigs);
        sigs[0] = "";
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidSignature.selector, 0));
        cps.submit(cp, sigs);
    }

    function test_Wormhole_badRecoveryIdRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes32 digest = cps.checkpointDigest(cp);
        bytes[] memory sigs = signCp(cp, 3);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[1], digest);
        uint8[3] memory bad = [uint8(v - 27), uint8(29), uint8(v + 4)];
        for (uint256 i = 0; i < bad.length; ++i) {
            sigs[1] = abi.encodePacked(r, s, bad[i]);
            vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidSignature.selector, 1));
            cps.submit(cp, sigs);
        }
    }

    function test_Wormhole_garbageSignatureRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 3);
        sigs[2] = abi.encodePacked(bytes32(0), bytes32(0), uint8(27));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidSignature.selector, 2));
        cps.submit(cp, sigs);
    }

    function test_Wormhole_highSRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes32 digest = cps.checkpointDigest(cp);
        bytes[] memory sigs = signCp(cp, 3);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], digest);
        // The malleated twin (r, n - s, v ^ 1) recovers the same key; it must still be refused.
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        uint8 flipped = v == 27 ? 28 : 27;
        assertEq(ecrecover(digest, flipped, r, highS), vals[0], "twin recovers the validator");
        sigs[0] = abi.encodePacked(r, highS, flipped);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidSignature.selector, 0));
        cps.submit(cp, sigs);
    }

    function test_Wormhole_sameSignerTwiceRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 3);
        sigs[1] = sigs[0];
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.SignersNotAscending.selector, 1, vals[0]));
        cps.submit(cp, sigs);
        // Three copies of one signer, the classic duplicate-counting bug.
        sigs[2] = sigs[0];
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.SignersNotAscending.selector, 1, vals[0]));
        cps.submit(cp, sigs);
    }

    function test_Wormhole_descendingSignersRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 3);
        (sigs[0], sigs[2]) = (sigs[2], sigs[0]);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.SignersNotAscending.selector, 1, vals[1]));
        cps.submit(cp, sigs);
    }

    function test_Wormhole_otherChainIdRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes32 foreign = cps.hashTypedCheckpoint(block.chainid + 1, address(cps), cp);
        vm.expectPartialRevert(Checkpoints.SignerNotInSet.selector);
        cps.submit(cp, signDigest(foreign, keys, 4));

        // And signatures made here do not verify after a fork to another chain id.
        bytes[] memory sigs = signCp(cp, 4);
        vm.chainId(block.chainid + 7);
        vm.expectPartialRevert(Checkpoints.SignerNotInSet.selector);
        cps.submit(cp, sigs);
    }

    function test_Wormhole_otherContractRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        Checkpoints twin = new Checkpoints(GENESIS, 1, 0, vals, admin);
        bytes[] memory forTwin = signDigest(twin.checkpointDigest(cp), keys, 4);
        twin.submit(cp, forTwin);
        vm.expectPartialRevert(Checkpoints.SignerNotInSet.selector);
        cps.submit(cp, forTwin);
    }

    function test_Wormhole_otherSidechainRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        cp.sidechainGenesis = keccak256("another chain");
        bytes[] memory sigs = signCp(cp, 4);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.WrongSidechain.selector, GENESIS, cp.sidechainGenesis));
        cps.submit(cp, sigs);
    }

    function test_Wormhole_tamperedCheckpointRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 4);
        cp.withdrawalsRoot = keccak256("attacker root");
        vm.expectPartialRevert(Checkpoints.SignerNotInSet.selector);
        cps.submit(cp, sigs);
    }

    function testFuzz_Wormhole_randomSignatureBytesRejected(bytes memory junk, uint8 slot) public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 3);
        uint256 i = bound(slot, 0, 2);
        sigs[i] = junk;
        vm.expectRevert();
        cps.submit(cp, sigs);
    }

    // ------------------------------------------------------------ Poly Network (keeper replaced)

    function test_Poly_handoffToUncommittedSetRejected() public {
        (, address[] memory committed) = makeSet(4, 2);
        (, address[] memory attacker) = makeSet(4, 666);
        Checkpoint memory cp = nextCp(bytes32(0));
        cp.nextValidatorSetHash = keccak256(abi.encode(uint64(1), committed));
        cps.submit(cp, signCp(cp, 3));
        vm.expectRevert(
            abi.encodeWithSelector(
                Checkpoints.ValidatorSetNotCommitted.selector, cp.nextValidatorSetHash, keccak256(abi.encode(uint64(1), attacker))
            )
        );
        cps.installValidatorSet(1, attacker);
        // A superset of the committed set is not the committed set either.
        address[] memory bigger = new address[](5);
        for (uint256 i = 0; i < 4; ++i) bigger[i] = committed[i];
        bigger[4] = address(type(uint160).max);
        vm.expectPartialRevert(Checkpoints.ValidatorSetNotCommitted.selector);
        cps.installValidatorSet(1, bigger);
        assertEq(cps.currentSetId(), 0, "set unchanged");
    }

    function test_Poly_handoffWithoutCommitmentRejected() public {
        (, address[] memory attacker) = makeSet(4, 666);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NoPendingValidatorSet.selector));
        cps.installValidatorSet(1, attacker);
        submitRoot(bytes32(0)); // a checkpoint keeping the set commits to nothing new
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NoPendingValidatorSet.selector));
        cps.installValidatorSet(1, attacker);
    }

    function test_Poly_handoffWrongSetIdRejected() public {
        (, address[] memory next) = makeSet(4, 2);
        Checkpoint memory cp = nextCp(bytes32(0));
        cp.nextValidatorSetHash = keccak256(abi.encode(uint64(2), next));
        cps.submit(cp, signCp(cp, 3));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.UnexpectedValidatorSetId.selector, 1, 2));
        cps.installValidatorSet(2, next);
    }

    function test_Poly_committedSetMustBeSorted() public {
        (, address[] memory next) = makeSet(3, 2);
        (next[0], next[1]) = (next[1], next[0]);
        Checkpoint memory cp = nextCp(bytes32(0));
        cp.nextValidatorSetHash = keccak256(abi.encode(uint64(1), next));
        cps.submit(cp, signCp(cp, 3));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorsNotSorted.selector, 1));
        cps.installValidatorSet(1, next);
    }

    function test_handoff_fullCycle() public {
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(7, 2);
        _handoff(newKeys, newVals);
        assertEq(cps.currentSetId(), 1, "new id");
        assertEq(cps.currentSetSize(), 7, "new size");
        assertEq(cps.currentSetHash(), keccak256(abi.encode(uint64(1), newVals)), "new hash");
        assertTrue(!cps.handoffPending(), "handoff done");
        for (uint256 i = 0; i < newVals.length; ++i) assertTrue(cps.isValidator(newVals[i]), "new member");
        (, address[] memory oldVals) = makeSet(4, 1);
        for (uint256 i = 0; i < oldVals.length; ++i) assertTrue(!cps.isValidator(oldVals[i]), "old member gone");

        // The new set signs the next checkpoint (5 of 7 > 2/3; 4 of 7 is not).
        Checkpoint memory cp = nextCp(keccak256("r2"));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 4, 7));
        cps.submit(cp, signCp(cp, 4));
        cps.submit(cp, signCp(cp, 5));
        assertEq(cps.withdrawalsRoot(2), keccak256("r2"), "root under new set");
    }

    function test_handoff_oldSetIdRejectedAfterInstall() public {
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(4, 2);
        _handoff(newKeys, newVals);
        Checkpoint memory cp = nextCp(keccak256("r"));
        cp.validatorSetId = 0;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.WrongValidatorSet.selector, 1, 0));
        cps.submit(cp, new bytes[](0));
    }

    function test_handoff_pendingBlocksNextCheckpoint() public {
        (, address[] memory next) = makeSet(4, 2);
        Checkpoint memory cp = nextCp(bytes32(0));
        cp.nextValidatorSetHash = keccak256(abi.encode(uint64(1), next));
        vm.expectEmit();
        emit ValidatorSetCommitted(1, 1, cp.nextValidatorSetHash);
        cps.submit(cp, signCp(cp, 3));
        Checkpoint memory cp2 = nextCp(bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorSetHandoffPending.selector, cp.nextValidatorSetHash));
        cps.submit(cp2, signCp(cp2, 4));
    }

    // ------------------------------------------------------------ replay

    function test_Replay_checkpointNumberReusedRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        bytes[] memory sigs = signCp(cp, 3);
        cps.submit(cp, sigs);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.UnexpectedCheckpointNumber.selector, 2, 1));
        cps.submit(cp, sigs);
        // A differently-rooted checkpoint 1 cannot overwrite the stored root either.
        cp.withdrawalsRoot = keccak256("other");
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.UnexpectedCheckpointNumber.selector, 2, 1));
        cps.submit(cp, signCp(cp, 4));
        assertEq(cps.withdrawalsRoot(1), keccak256("r"), "root kept");
    }

    function test_Replay_checkpointNumberSkippedRejected() public {
        Checkpoint memory cp = nextCp(keccak256("r"));
        cp.number = 2;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.UnexpectedCheckpointNumber.selector, 1, 2));
        cps.submit(cp, signCp(cp, 4));
        cp.number = 0;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.UnexpectedCheckpointNumber.selector, 1, 0));
        cps.submit(cp, signCp(cp, 4));
    }

    // ------------------------------------------------------------ equivocation and pause

    function test_equivocation_pausesBridge() public {
        Checkpoint memory a = nextCp(keccak256("a"));
        Checkpoint memory b = nextCp(keccak256("b"));
        bytes[] memory sa = signCp(a, 3);
        bytes[] memory sb = signCp(b, 3);
        cps.submit(a, sa);
        vm.prank(address(0xB0B));
        cps.proveEquivocation(a, sa, b, sb);
        assertTrue(cps.paused(), "paused");
        Checkpoint memory c = nextCp(keccak256("c"));
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        cps.submit(c, signCp(c, 4));
        vm.prank(admin);
        cps.unpause();
        cps.submit(c, signCp(c, 4));
        assertEq(cps.latestCheckpoint(), 2, "resumed");
    }

    function test_equivocation_requiresDifferentCheckpoints() public {
        Checkpoint memory a = nextCp(keccak256("a"));
        bytes[] memory sa = signCp(a, 3);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NotEquivocation.selector));
        cps.proveEquivocation(a, sa, a, signCp(a, 4));
        Checkpoint memory b = nextCp(keccak256("a"));
        b.number = 2;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NotEquivocation.selector));
        cps.proveEquivocation(a, sa, b, signCp(b, 3));
    }

    function test_equivocation_requiresQuorumOnBoth() public {
        Checkpoint memory a = nextCp(keccak256("a"));
        Checkpoint memory b = nextCp(keccak256("b"));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 2, 4));
        cps.proveEquivocation(a, signCp(a, 3), b, signCp(b, 2));
        // Signatures of b pasted onto a forged b' do not count.
        Checkpoint memory forged = nextCp(keccak256("forged"));
        vm.expectPartialRevert(Checkpoints.SignerNotInSet.selector);
        cps.proveEquivocation(a, signCp(a, 3), forged, signCp(b, 3));
        assertTrue(!cps.paused(), "not paused");
    }

    function test_pause_onlyGuardian_unpause_onlyAdmin() public {
        address guardian = address(0x6A2D);
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(guardian);
        cps.pause();
        bytes32 role = cps.GUARDIAN_ROLE();
        vm.prank(admin);
        cps.grantRole(role, guardian);
        vm.prank(guardian);
        cps.pause();
        assertTrue(cps.paused(), "paused by guardian");
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(guardian);
        cps.unpause();
        vm.prank(admin);
        cps.unpause();
        assertTrue(!cps.paused(), "unpaused by admin");
    }

    // ------------------------------------------------------------ recovery of a lost set (issue 9, item 9)

    /// Issue 9, item 9: two of the four validators are lost, so no checkpoint (and no handoff
    /// checkpoint) can be signed any more. Governance installs the sidechain's new set after the delay.
    function test_recovery_proposeExecuteAfterDelay_newSetSigns() public {
        submitRoot(keccak256("before the loss"));
        Checkpoint memory stuck = nextCp(keccak256("stuck"));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, 2, 4));
        cps.submit(stuck, signCp(stuck, 2));

        (uint256[] memory newKeys, address[] memory newVals) = makeSet(5, 3);
        bytes32 setHash = keccak256(abi.encode(uint64(1), newVals));
        uint64 executableAt = uint64(block.timestamp) + 7 days;
        vm.expectEmit();
        emit RecoveryProposed(1, setHash, newVals, 2, executableAt, admin);
        vm.prank(admin);
        cps.proposeRecovery(1, newVals, 2);

        vm.expectRevert(abi.encodeWithSelector(Checkpoints.RecoveryTimelocked.selector, executableAt));
        cps.executeRecovery(newVals);
        vm.warp(executableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.RecoveryTimelocked.selector, executableAt));
        cps.executeRecovery(newVals);

        vm.warp(executableAt);
        vm.expectEmit();
        emit RecoveryExecuted(1, setHash, 2, address(0xDEAD));
        vm.expectEmit();
        emit ValidatorSetInstalled(1, setHash, newVals);
        vm.prank(address(0xDEAD));
        cps.executeRecovery(newVals);
        assertEq(cps.currentSetId(), 1, "new set id");
        assertEq(cps.currentSetSize(), 5, "new set size");
        assertEq(cps.currentSetHash(), setHash, "new set hash");
        assertEq(cps.latestCheckpoint(), 1, "resumes after the last accepted checkpoint");
        (,,,, , uint64 pendingAt) = cps.recovery();
        assertEq(pendingAt, 0, "proposal consumed");
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NoRecoveryPending.selector));
        cps.executeRecovery(newVals);

        // The old set no longer signs; the new one does.
        Checkpoint memory byOld = nextCp(keccak256("old"));
        byOld.validatorSetId = 0;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.WrongValidatorSet.selector, 1, 0));
        cps.submit(byOld, signCp(byOld, 4));
        address[] memory oldVals = vals;
        uint256[] memory oldKeys = keys;
        keys = newKeys;
        vals = newVals;
        Checkpoint memory cp = nextCp(keccak256("after recovery"));
        bytes[] memory forged = signDigest(digestOf(cp, block.chainid, address(cps)), oldKeys, 4);
        vm.expectPartialRevert(Checkpoints.SignerNotInSet.selector);
        cps.submit(cp, forged);
        assertTrue(!cps.isValidator(oldVals[0]), "old member dropped");
        cps.submit(cp, signCp(cp, 4));
        assertEq(cps.latestCheckpoint(), 2, "new set's checkpoint accepted");
        assertEq(cps.withdrawalsRoot(2), keccak256("after recovery"), "root stored");
    }

    /// Checkpoints the lost set could never sign are skipped when governance says so.
    function test_recovery_resumesAtTheProposedCheckpoint() public {
        submitRoot(bytes32(0));
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(3, newVals, 6);
        vm.warp(block.timestamp + cps.RECOVERY_DELAY());
        cps.executeRecovery(newVals);
        assertEq(cps.latestCheckpoint(), 5, "next expected is 6");
        keys = newKeys;
        vals = newVals;
        Checkpoint memory cp = nextCp(keccak256("r"));
        assertEq(cp.number, 6, "numbering");
        assertEq(cp.validatorSetId, 3, "set id");
        cps.submit(cp, signCp(cp, 3));
        assertEq(cps.latestCheckpoint(), 6, "accepted");
    }

    function test_recovery_guardianCancels() public {
        address guardian = address(0x6A2D);
        bytes32 role = cps.GUARDIAN_ROLE();
        vm.prank(admin);
        cps.grantRole(role, guardian);
        (, address[] memory newVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(1, newVals, 1);

        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(address(0xB0B));
        cps.cancelRecovery();

        vm.expectEmit();
        emit RecoveryCancelled(1, keccak256(abi.encode(uint64(1), newVals)), guardian);
        vm.prank(guardian);
        cps.cancelRecovery();
        vm.warp(block.timestamp + 7 days);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NoRecoveryPending.selector));
        cps.executeRecovery(newVals);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NoRecoveryPending.selector));
        vm.prank(guardian);
        cps.cancelRecovery();
        assertEq(cps.currentSetId(), 0, "set unchanged");
    }

    function test_recovery_onlyAdminProposes() public {
        (, address[] memory newVals) = makeSet(4, 3);
        address guardian = address(0x6A2D);
        bytes32 role = cps.GUARDIAN_ROLE();
        vm.prank(admin);
        cps.grantRole(role, guardian);
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(guardian);
        cps.proposeRecovery(1, newVals, 1);
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(vals[0]);
        cps.proposeRecovery(1, newVals, 1);
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(address(0xB0B));
        cps.proposeRecovery(1, newVals, 1);
    }

    /// A normal handoff after the proposal shows the set could still sign: the proposal is void.
    function test_recovery_obsoleteAfterCheckpointDrivenHandoff() public {
        (, address[] memory recoveryVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(1, recoveryVals, 1);
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(4, 2);
        _handoff(newKeys, newVals);
        vm.warp(block.timestamp + 7 days);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.RecoveryObsolete.selector));
        cps.executeRecovery(recoveryVals);
        assertEq(cps.currentSetHash(), keccak256(abi.encode(uint64(1), newVals)), "handed-off set stays");
    }

    /// Any checkpoint accepted after the proposal proves the current set can sign: the proposal is void,
    /// so a live set defeats a hostile recovery by posting its next (heartbeat) checkpoint.
    function test_recovery_obsoleteAfterAnyCheckpoint() public {
        (, address[] memory newVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(1, newVals, 1);
        submitRoot(bytes32(0));
        vm.warp(block.timestamp + 7 days);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.RecoveryObsolete.selector));
        cps.executeRecovery(newVals);
    }

    /// Proposed while a committed set waited to be installed: installing it voids the proposal.
    function test_recovery_obsoleteWhenTheCommittedSetIsInstalled() public {
        (, address[] memory committed) = makeSet(4, 2);
        Checkpoint memory cp = nextCp(bytes32(0));
        cp.nextValidatorSetHash = keccak256(abi.encode(uint64(1), committed));
        cps.submit(cp, signCp(cp, 3));
        (, address[] memory recoveryVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(2, recoveryVals, 2);
        cps.installValidatorSet(1, committed);
        vm.warp(block.timestamp + 7 days);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.RecoveryObsolete.selector));
        cps.executeRecovery(recoveryVals);
    }

    /// The committed next set is itself lost (nobody can install or run it): recovery replaces it.
    function test_recovery_replacesAPendingHandoff() public {
        (, address[] memory committed) = makeSet(4, 2);
        Checkpoint memory cp = nextCp(bytes32(0));
        cp.nextValidatorSetHash = keccak256(abi.encode(uint64(1), committed));
        cps.submit(cp, signCp(cp, 3));
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(2, newVals, 2);
        vm.warp(block.timestamp + 7 days);
        cps.executeRecovery(newVals);
        assertTrue(!cps.handoffPending(), "handoff cleared");
        assertEq(cps.pendingSetHash(), bytes32(0), "pending hash cleared");
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.NoPendingValidatorSet.selector));
        cps.installValidatorSet(1, committed);
        keys = newKeys;
        vals = newVals;
        submitRoot(keccak256("r"));
        assertEq(cps.latestCheckpoint(), 2, "new set signs");
    }

    /// After an equivocation the bridge is paused and the set is not to be trusted: recovery still
    /// runs, and unpausing stays the admin's separate decision.
    function test_recovery_runsWhilePaused_unpauseStaysWithAdmin() public {
        Checkpoint memory a = nextCp(keccak256("a"));
        Checkpoint memory b = nextCp(keccak256("b"));
        bytes[] memory sa = signCp(a, 3);
        cps.submit(a, sa);
        cps.proveEquivocation(a, sa, b, signCp(b, 3));
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(1, newVals, 2);
        vm.warp(block.timestamp + 7 days);
        cps.executeRecovery(newVals);
        assertTrue(cps.paused(), "still paused");
        keys = newKeys;
        vals = newVals;
        Checkpoint memory c = nextCp(keccak256("c"));
        bytes[] memory sc = signCp(c, 3);
        vm.expectRevert(abi.encodeWithSelector(Pausable.EnforcedPause.selector));
        cps.submit(c, sc);
        vm.prank(admin);
        cps.unpause();
        cps.submit(c, sc);
        assertEq(cps.latestCheckpoint(), 2, "resumed with the new set");
    }

    /// A new proposal replaces the pending one and restarts the delay.
    function test_recovery_newProposalReplacesAndRestartsDelay() public {
        (, address[] memory first) = makeSet(4, 3);
        (, address[] memory second) = makeSet(3, 4);
        vm.prank(admin);
        cps.proposeRecovery(1, first, 1);
        vm.warp(block.timestamp + 6 days);
        vm.expectEmit();
        emit RecoveryCancelled(1, keccak256(abi.encode(uint64(1), first)), admin);
        vm.prank(admin);
        cps.proposeRecovery(2, second, 1);
        vm.warp(block.timestamp + 1 days);
        uint64 executableAt = uint64(block.timestamp) + 6 days;
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.RecoveryTimelocked.selector, executableAt));
        cps.executeRecovery(second);
        vm.warp(executableAt);
        bytes32 proposed = keccak256(abi.encode(uint64(2), second));
        vm.expectRevert(
            abi.encodeWithSelector(
                Checkpoints.RecoverySetMismatch.selector, proposed, keccak256(abi.encode(uint64(2), first))
            )
        );
        cps.executeRecovery(first);
        cps.executeRecovery(second);
        assertEq(cps.currentSetId(), 2, "second proposal installed");
        assertEq(cps.currentSetSize(), 3, "size");
    }

    function test_recovery_invalidSetsRefused() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.EmptyValidatorSet.selector));
        cps.proposeRecovery(1, new address[](0), 1);

        address[] memory v = new address[](3);
        v[0] = address(1);
        v[1] = address(3);
        v[2] = address(2);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorsNotSorted.selector, 2));
        cps.proposeRecovery(1, v, 1);
        v[2] = address(3);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorsNotSorted.selector, 2));
        cps.proposeRecovery(1, v, 1);
        v[0] = address(0);
        v[1] = address(2);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorsNotSorted.selector, 0));
        cps.proposeRecovery(1, v, 1);

        address[] memory big = new address[](257);
        for (uint256 i = 0; i < big.length; ++i) big[i] = address(uint160(i + 1));
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.ValidatorSetTooLarge.selector, 257));
        cps.proposeRecovery(1, big, 1);
        address[] memory max = new address[](256);
        for (uint256 i = 0; i < max.length; ++i) max[i] = big[i];
        cps.proposeRecovery(1, max, 1);

        (, address[] memory ok) = makeSet(4, 3);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidRecoverySetId.selector, 0, 0));
        cps.proposeRecovery(0, ok, 1);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidRecoverySetId.selector, 0, type(uint64).max));
        cps.proposeRecovery(type(uint64).max, ok, 1);
        vm.stopPrank();

        submitRoot(bytes32(0));
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidRecoveryCheckpoint.selector, 2, 1));
        cps.proposeRecovery(1, ok, 1);
        vm.expectRevert(abi.encodeWithSelector(Checkpoints.InvalidRecoveryCheckpoint.selector, 2, type(uint64).max));
        cps.proposeRecovery(1, ok, type(uint64).max);
        vm.stopPrank();
    }

    /// A set installed by recovery can later hand off normally, by a signed checkpoint.
    function test_recovery_thenNormalHandoff() public {
        (uint256[] memory newKeys, address[] memory newVals) = makeSet(4, 3);
        vm.prank(admin);
        cps.proposeRecovery(5, newVals, 1);
        vm.warp(block.timestamp + 7 days);
        cps.executeRecovery(newVals);
        keys = newKeys;
        vals = newVals;
        (uint256[] memory nextKeys, address[] memory nextVals) = makeSet(7, 4);
        _handoff(nextKeys, nextVals);
        assertEq(cps.currentSetId(), 6, "ids continue from the recovered set");
        submitRoot(keccak256("r"));
        assertEq(cps.latestCheckpoint(), 2, "accepted");
    }

    // ------------------------------------------------------------ fuzz: the threshold rule

    function testFuzz_submit_thresholdIsStrictlyMoreThanTwoThirds(uint256 n, uint256 k) public {
        n = bound(n, 1, 21);
        k = bound(k, 0, n);
        deployCheckpoints(n);
        Checkpoint memory cp = nextCp(keccak256(abi.encode(n, k)));
        bytes[] memory sigs = signCp(cp, k);
        if (3 * k > 2 * n) {
            cps.submit(cp, sigs);
            assertEq(cps.latestCheckpoint(), 1, "accepted");
        } else {
            vm.expectRevert(abi.encodeWithSelector(Checkpoints.InsufficientSignatures.selector, k, n));
            cps.submit(cp, sigs);
        }
    }

    function testFuzz_validatorSetHash(uint64 setId, uint8 n, uint256 seed) public view {
        (, address[] memory v) = makeSet(bound(n, 1, 30), seed);
        assertEq(cps.validatorSetHash(setId, v), keccak256(abi.encode(setId, v)), "set hash");
    }

    // ------------------------------------------------------------ helpers

    function _handoff(uint256[] memory newKeys, address[] memory newVals) internal {
        uint64 nextId = cps.currentSetId() + 1;
        Checkpoint memory cp = nextCp(keccak256("handoff"));
        cp.nextValidatorSetHash = cps.validatorSetHash(nextId, newVals);
        cps.submit(cp, signCp(cp, quorum(vals.length)));
        assertTrue(cps.handoffPending(), "pending");
        cps.installValidatorSet(nextId, newVals);
        keys = newKeys;
        vals = newVals;
    }
}
