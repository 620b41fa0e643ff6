// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Checkpoints, Checkpoint} from "../../src/Checkpoints.sol";
import {TestBase} from "./Vm.sol";

/// @notice Validator keys, checkpoint construction and signing shared by the test suites.
abstract contract Fixture is TestBase {
    bytes32 internal constant GENESIS = keccak256("ludus-test-genesis");
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    address internal admin = address(0xA11CE);

    Checkpoints internal cps;
    /// @dev Keys of the current set, sorted by their address (so the first k give ascending signers).
    uint256[] internal keys;
    address[] internal vals;

    /// @dev `n` keys derived from `seed`, sorted by address.
    function makeSet(uint256 n, uint256 seed) internal pure returns (uint256[] memory pk, address[] memory addrs) {
        pk = new uint256[](n);
        addrs = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 k = uint256(keccak256(abi.encode(seed, i))) % (SECP256K1_N - 1) + 1;
            address a = vm.addr(k);
            uint256 j = i;
            while (j > 0 && addrs[j - 1] > a) {
                addrs[j] = addrs[j - 1];
                pk[j] = pk[j - 1];
                --j;
            }
            addrs[j] = a;
            pk[j] = k;
        }
    }

    function deployCheckpoints(uint256 n) internal {
        (uint256[] memory pk, address[] memory addrs) = makeSet(n, 1);
        keys = pk;
        vals = addrs;
        cps = new Checkpoints(GENESIS, 1, 0, addrs, admin);
    }

    /// @dev The next checkpoint for the current set, keeping the set unchanged.
    function nextCp(bytes32 root) internal view returns (Checkpoint memory cp) {
        uint64 number = cps.latestCheckpoint() + 1;
        cp = Checkpoint({
            sidechainGenesis: GENESIS,
            number: number,
            firstBlock: uint32(number) * 10 - 9,
            lastBlock: uint32(number) * 10,
            lastBlockHash: keccak256(abi.encode("block", number)),
            withdrawalsRoot: root,
            validatorSetId: cps.currentSetId(),
            nextValidatorSetHash: cps.currentSetHash()
        });
    }

    function sig(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Signatures of the first `k` of `pk` (ascending signers) over `digest`.
    function signDigest(bytes32 digest, uint256[] memory pk, uint256 k) internal pure returns (bytes[] memory sigs) {
        sigs = new bytes[](k);
        for (uint256 i = 0; i < k; ++i) sigs[i] = sig(pk[i], digest);
    }

    /// @dev The EIP-712 struct hash computed here from bridge-formats.md, independently of the contract.
    function structHashOf(Checkpoint memory cp) internal pure returns (bytes32) {
        bytes32 typehash = keccak256(
            "Checkpoint(bytes32 sidechainGenesis,uint64 number,uint32 firstBlock,uint32 lastBlock,bytes32 lastBlockHash,bytes32 withdrawalsRoot,uint64 validatorSetId,bytes32 nextValidatorSetHash)"
        );
        return keccak256(
            abi.encode(
                typehash,
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

    /// @dev The EIP-712 digest computed here from bridge-formats.md, independently of the contract
    /// (and without an external call, so it can sit between `expectRevert` and the call under test).
    function digestOf(Checkpoint memory cp, uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Ludus Checkpoints"),
                keccak256("1"),
                chainId,
                verifyingContract
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHashOf(cp)));
    }

    function signCp(Checkpoint memory cp, uint256 k) internal view returns (bytes[] memory) {
        return signDigest(digestOf(cp, block.chainid, address(cps)), keys, k);
    }

    /// @dev Smallest signature count the contract accepts: 3k > 2n.
    function quorum(uint256 n) internal pure returns (uint256) {
        return (2 * n) / 3 + 1;
    }

    /// @dev Submit the next checkpoint with `root`, signed by a bare quorum; returns its number.
    function submitRoot(bytes32 root) internal returns (uint64) {
        Checkpoint memory cp = nextCp(root);
        cps.submit(cp, signCp(cp, quorum(vals.length)));
        return cp.number;
    }
}
