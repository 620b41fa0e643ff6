// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Checkpoints, Checkpoint} from "../src/Checkpoints.sol";
import {Vault, Withdrawal} from "../src/Vault.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Fixture} from "./utils/Fixture.sol";
import {Merkle} from "./utils/Merkle.sol";
import {MockToken, FeeToken} from "./mocks/Tokens.sol";

/// @notice An ETH recipient that tries to re-enter the vault when paid.
contract ReentrantRecipient {
    Vault internal vault;
    Withdrawal internal next;
    uint64 internal cpNumber;
    bytes32[] internal proof;
    bool public reentered;

    function arm(Vault v, Withdrawal memory w, uint64 n, bytes32[] memory p) external {
        vault = v;
        next = w;
        cpNumber = n;
        proof = p;
    }

    receive() external payable {
        if (address(vault) != address(0) && !reentered) {
            reentered = true;
            vault.claim(next, cpNumber, proof); // must revert, failing the outer payment
        }
    }
}

contract VaultTest is Fixture {
    event Deposited(uint64 indexed nonce, address indexed token, address indexed depositor, bytes32 recipient, uint256 amount);
    event Claimed(
        uint64 indexed id,
        address indexed token,
        address indexed recipient,
        uint256 amount,
        uint64 checkpointNumber,
        address payer,
        uint256 fee
    );
    event ClaimQueued(uint64 indexed id, address indexed token, address indexed recipient, uint256 amount, uint64 unlockAt);

    Vault internal vault;
    MockToken internal token;
    address internal guardian = address(0x6A2D);
    address internal alice = address(0xA1);
    address internal bob = address(0xB0B);
    address internal relayer = address(0xCAFE);
    bytes32 internal constant SIDE_ALICE = keccak256("alice on ludus");

    uint128 internal constant DAILY = 1_000 ether;
    uint128 internal constant LARGE = 100 ether;

    function setUp() public {
        deployCheckpoints(4);
        vault = new Vault(cps, admin, guardian);
        token = new MockToken();
        vm.startPrank(admin);
        vault.configureToken(address(token), true, DAILY, LARGE, 0);
        vault.configureToken(address(0), true, DAILY, LARGE, 0);
        vm.stopPrank();
        token.mint(address(vault), 1_000_000 ether);
        vm.deal(address(vault), 1_000_000 ether);
        token.mint(alice, 1_000_000 ether);
        vm.prank(alice);
        token.approve(address(vault), type(uint256).max);
        vm.deal(alice, 1_000_000 ether);
        vm.warp(1_700_000_000);
    }

    // ------------------------------------------------------------ helpers

    /// @dev The leaf as bridge-formats.md defines it, for `vault` on this chain.
    function leafOf(Withdrawal memory w) internal view returns (bytes32) {
        return leafFor(address(vault), w);
    }

    function leafFor(address v, Withdrawal memory w) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, v, w.id, w.token, w.recipient, w.amount, w.fee));
    }

    function wd(uint64 id, address tok, address to, uint256 amount) internal pure returns (Withdrawal memory) {
        return wdFee(id, tok, to, amount, 0);
    }

    function wdFee(uint64 id, address tok, address to, uint256 amount, uint256 fee)
        internal
        pure
        returns (Withdrawal memory)
    {
        return Withdrawal({id: id, token: tok, recipient: to, amount: amount, fee: fee});
    }

    function balanceIn(address tok, address who) internal view returns (uint256) {
        return tok == address(0) ? who.balance : token.balanceOf(who);
    }

    /// @dev Checkpoint `ws` (in order) and return the number and the leaves.
    function checkpointOf(Withdrawal[] memory ws) internal returns (uint64 number, bytes32[] memory leaves) {
        leaves = new bytes32[](ws.length);
        for (uint256 i = 0; i < ws.length; ++i) leaves[i] = leafOf(ws[i]);
        number = submitRoot(Merkle.root(leaves));
    }

    function one(Withdrawal memory w) internal pure returns (Withdrawal[] memory ws) {
        ws = new Withdrawal[](1);
        ws[0] = w;
    }

    // ------------------------------------------------------------ construction and admin

    function test_constructor_refusesZeroAddresses() public {
        vm.expectRevert(abi.encodeWithSelector(Vault.ZeroAddress.selector));
        new Vault(Checkpoints(address(0)), admin, guardian);
        vm.expectRevert(abi.encodeWithSelector(Vault.ZeroAddress.selector));
        new Vault(cps, address(0), guardian);
        vm.expectRevert(abi.encodeWithSelector(Vault.ZeroAddress.selector));
        new Vault(cps, admin, address(0));
    }

    function test_configureToken_onlyAdmin() public {
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(guardian);
        vault.configureToken(address(0x1234), true, 1, 1, 0);
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(alice);
        vault.setLargeClaimDelay(0);
    }

    function test_hashHelpers_matchFormatsFile() public view {
        Withdrawal memory w = wdFee(7, address(token), bob, 5 ether, 0.1 ether);
        assertEq(
            vault.withdrawalLeaf(w),
            keccak256(
                abi.encode(
                    block.chainid, address(vault), uint64(7), address(token), bob, uint256(5 ether), uint256(0.1 ether)
                )
            ),
            "leaf"
        );
        assertEq(
            vault.depositHash(3, address(token), alice, SIDE_ALICE, 9),
            keccak256(abi.encode(uint64(3), address(token), alice, SIDE_ALICE, uint256(9))),
            "deposit hash"
        );
    }

    /// Issue 9, item 6: a second vault reading the same Checkpoints contract must not pay a
    /// withdrawal proven for the first (the leaf binds the vault and the chain).
    function test_Replay_secondVaultOnSameCheckpointsCannotPayAgain() public {
        Withdrawal memory w = wd(1, address(token), bob, 5 ether);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(one(w));
        vault.claim(w, n, Merkle.proof(leaves, 0));
        assertEq(token.balanceOf(bob), 5 ether, "paid once by the first vault");

        Vault twin = new Vault(cps, admin, guardian);
        vm.prank(admin);
        twin.configureToken(address(token), true, DAILY, LARGE, 0);
        token.mint(address(twin), 1_000 ether);
        vm.expectRevert(abi.encodeWithSelector(Vault.InvalidProof.selector));
        twin.claim(w, n, Merkle.proof(leaves, 0));

        // Nor on another chain: the same vault address after a fork of the L1.
        Withdrawal memory w2 = wd(2, address(token), bob, 1 ether);
        (uint64 n2, bytes32[] memory leaves2) = checkpointOf(one(w2));
        vm.chainId(block.chainid + 1);
        vm.expectRevert(abi.encodeWithSelector(Vault.InvalidProof.selector));
        vault.claim(w2, n2, Merkle.proof(leaves2, 0));
        assertEq(token.balanceOf(bob), 5 ether, "no second payment");
    }

    // ------------------------------------------------------------ deposits

    function test_deposit_locksTokensAndEmitsNonceFromOne() public {
        uint256 before = token.balanceOf(address(vault));
        vm.expectEmit();
        emit Deposited(1, address(token), alice, SIDE_ALICE, 5 ether);
        vm.prank(alice);
        vault.deposit(address(token), 5 ether, SIDE_ALICE);
        assertEq(token.balanceOf(address(vault)), before + 5 ether, "locked");
        assertEq(vault.lastDepositNonce(), 1, "nonce 1");
    }

    function test_depositETH_locksEthAndSharesNonceSequence() public {
        vm.prank(alice);
        vault.deposit(address(token), 1, SIDE_ALICE);
        vm.expectEmit();
        emit Deposited(2, address(0), alice, SIDE_ALICE, 3 ether);
        vm.prank(alice);
        vault.depositETH{value: 3 ether}(SIDE_ALICE);
        vm.expectEmit();
        emit Deposited(3, address(token), alice, SIDE_ALICE, 2);
        vm.prank(alice);
        vault.deposit(address(token), 2, SIDE_ALICE);
    }

    function testFuzz_Replay_depositNoncesNeverRepeat(uint8 count, uint256 seed) public {
        uint256 n = bound(count, 1, 40);
        for (uint256 i = 0; i < n; ++i) {
            uint256 amount = bound(uint256(keccak256(abi.encode(seed, i))), 1, 1 ether);
            vm.expectEmit();
            emit Deposited(uint64(i + 1), i % 2 == 0 ? address(token) : address(0), alice, SIDE_ALICE, amount);
            vm.prank(alice);
            if (i % 2 == 0) vault.deposit(address(token), amount, SIDE_ALICE);
            else vault.depositETH{value: amount}(SIDE_ALICE);
        }
        assertEq(vault.lastDepositNonce(), n, "contiguous");
    }

    function testFuzz_deposit_amounts(uint256 amount) public {
        // Bias towards the interesting edges: zero, around uint128 max, and ordinary amounts.
        uint256 pick = amount % 4;
        if (pick == 0) amount = bound(amount, 0, 1000);
        else if (pick == 1) amount = bound(amount, uint256(type(uint128).max) - 2, uint256(type(uint128).max) + 2);
        token.mint(alice, amount > type(uint128).max ? 0 : amount);
        if (amount == 0) {
            vm.expectRevert(abi.encodeWithSelector(Vault.ZeroAmount.selector));
        } else if (amount > type(uint128).max) {
            vm.expectRevert(abi.encodeWithSelector(Vault.AmountTooLarge.selector, amount));
        } else {
            vm.expectEmit();
            emit Deposited(1, address(token), alice, SIDE_ALICE, amount);
        }
        vm.prank(alice);
        vault.deposit(address(token), amount, SIDE_ALICE);
    }

    function test_deposit_refusesBadInput() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(Vault.ZeroAmount.selector));
        vault.deposit(address(token), 0, SIDE_ALICE);
        vm.expectRevert(abi.encodeWithSelector(Vault.ZeroRecipient.selector));
        vault.deposit(address(token), 1, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(Vault.TokenNotRegistered.selector, address(0x1234)));
        vault.deposit(address(0x1234), 1, SIDE_ALICE);
        vm.expectRevert(abi.encodeWithSelector(Vault.UseDepositETH.selector));
        vault.deposit(address(0), 1, SIDE_ALICE);
        uint256 tooMuch = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(Vault.AmountTooLarge.selector, tooMuch));
        vault.deposit(address(token), tooMuch, SIDE_ALICE);
        vm.expectRevert(abi.encodeWithSelector(Vault.ZeroAmount.selector));
        vault.depositETH{value: 0}(SIDE_ALICE);
        vm.expectRevert(abi.encodeWithSelector(Vault.ZeroRecipient.selector));
        vault.depositETH{value: 1}(bytes32(0));
        vm.stopPrank();
        assertEq(vault.lastDepositNonce(), 0, "no nonce consumed");
    }

    /// Issue 9, item 4: the vault refuses deposits below the token's minimum (what arrives counts),
    /// so it never takes funds the sidechain cannot mint.
    function test_deposit_belowMinimumRefused() public {
        vm.startPrank(admin);
        vault.configureToken(address(token), true, DAILY, LARGE, 1 ether);
        vault.configureToken(address(0), true, DAILY, LARGE, 0.01 ether);
        vm.stopPrank();
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(Vault.BelowMinDeposit.selector, address(token), 1 ether - 1, 1 ether));
        vault.deposit(address(token), 1 ether - 1, SIDE_ALICE);
        vm.expectRevert(abi.encodeWithSelector(Vault.BelowMinDeposit.selector, address(0), 0.01 ether - 1, 0.01 ether));
        vault.depositETH{value: 0.01 ether - 1}(SIDE_ALICE);
        assertEq(vault.lastDepositNonce(), 0, "no nonce spent");
        vault.deposit(address(token), 1 ether, SIDE_ALICE);
        vault.depositETH{value: 0.01 ether}(SIDE_ALICE);
        vm.stopPrank();
        assertEq(vault.lastDepositNonce(), 2, "the minimum itself is accepted");
        assertEq(vault.tokenLimits(address(token)).minDeposit, 1 ether, "configured with the token");
    }

    function test_depositETH_refusedWhenEthUnregistered() public {
        vm.prank(admin);
        vault.configureToken(address(0), false, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(Vault.TokenNotRegistered.selector, address(0)));
        vm.prank(alice);
        vault.depositETH{value: 1}(SIDE_ALICE);
    }

    function test_deposit_feeOnTransferCreditsWhatArrived() public {
        FeeToken fee = new FeeToken();
        vm.prank(admin);
        vault.configureToken(address(fee), true, DAILY, LARGE, 0);
        fee.mint(alice, 1000);
        vm.prank(alice);
        fee.approve(address(vault), 1000);
        vm.expectEmit();
        emit Deposited(1, address(fee), alice, SIDE_ALICE, 990);
        vm.prank(alice);
        vault.deposit(address(fee), 1000, SIDE_ALICE);
    }

    function test_deposit_refusedWhilePaused() public {
        vm.prank(guardian);
        vault.pause();
        vm.expectRevert(abi.encodeWithSelector(Vault.BridgePaused.selector));
        vm.prank(alice);
        vault.deposit(address(token), 1, SIDE_ALICE);
        vm.prank(admin);
        vault.unpause();
        vm.prank(admin);
        cps.pause();
        vm.expectRevert(abi.encodeWithSelector(Vault.BridgePaused.selector));
        vm.prank(alice);
        vault.depositETH{value: 1}(SIDE_ALICE);
    }

    // ------------------------------------------------------------ claims

    function test_claim_paysRecipientNotCaller() public {
        Withdrawal memory w = wd(1, address(token), bob, 10 ether);
        (uint64 n,) = checkpointOf(one(w));
        vm.expectEmit();
        emit Claimed(1, address(token), bob, 10 ether, n, relayer, 0);
        vm.prank(relayer); // anyone may relay the claim
        vault.claim(w, n, new bytes32[](0));
        assertEq(token.balanceOf(bob), 10 ether, "bob paid");
        assertEq(token.balanceOf(relayer), 0, "caller not paid: the withdrawal names no fee");
        assertTrue(vault.isClaimed(1), "marked");
    }

    function test_claim_paysTheFeeToTheRelayer_erc20() public {
        Withdrawal memory w = wdFee(1, address(token), bob, 10 ether, 0.05 ether);
        (uint64 n,) = checkpointOf(one(w));
        uint256 vaultBefore = token.balanceOf(address(vault));
        vm.expectEmit();
        emit Claimed(1, address(token), bob, 10 ether, n, relayer, 0.05 ether);
        vm.prank(relayer);
        vault.claim(w, n, new bytes32[](0));
        assertEq(token.balanceOf(bob), 9.95 ether, "recipient paid the amount less the fee");
        assertEq(token.balanceOf(relayer), 0.05 ether, "relayer paid the fee");
        assertEq(token.balanceOf(address(vault)), vaultBefore - 10 ether, "the vault paid the amount, no more");
    }

    function test_claim_paysTheFeeToTheRelayer_eth() public {
        Withdrawal memory w = wdFee(1, address(0), bob, 2 ether, 0.001 ether);
        (uint64 n,) = checkpointOf(one(w));
        uint256 bobBefore = bob.balance;
        uint256 relayerBefore = relayer.balance;
        vm.expectEmit();
        emit Claimed(1, address(0), bob, 2 ether, n, relayer, 0.001 ether);
        vm.prank(relayer);
        vault.claim(w, n, new bytes32[](0));
        assertEq(bob.balance, bobBefore + 1.999 ether, "recipient paid the amount less the fee");
        assertEq(relayer.balance, relayerBefore + 0.001 ether, "relayer paid the fee");
    }

    function test_claim_recipientClaimingThemselvesKeepsTheFee() public {
        Withdrawal[] memory ws = new Withdrawal[](2);
        ws[0] = wdFee(1, address(token), bob, 10 ether, 1 ether);
        ws[1] = wdFee(2, address(0), bob, 3 ether, 3 ether);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        vm.expectEmit();
        emit Claimed(1, address(token), bob, 10 ether, n, bob, 1 ether);
        vm.prank(bob);
        vault.claim(ws[0], n, Merkle.proof(leaves, 0));
        assertEq(token.balanceOf(bob), 10 ether, "the whole amount");
        uint256 before = bob.balance;
        vm.prank(bob);
        vault.claim(ws[1], n, Merkle.proof(leaves, 1));
        assertEq(bob.balance, before + 3 ether, "the whole amount, even when it is all fee");
    }

    function test_claim_wholeAmountAsFeeGoesToTheRelayer() public {
        // The recipient is a contract that refuses ETH: with nothing to pay it, nothing is sent to it.
        address refuses = address(new Vault(cps, admin, guardian));
        Withdrawal memory w = wdFee(1, address(0), refuses, 1 ether, 1 ether);
        (uint64 n,) = checkpointOf(one(w));
        uint256 before = relayer.balance;
        vm.prank(relayer);
        vault.claim(w, n, new bytes32[](0));
        assertEq(relayer.balance, before + 1 ether, "the relayer takes it all");
        assertEq(refuses.balance, 0, "the recipient gets nothing");
    }

    /// A fee above the amount is never burnt on the sidechain; if one were signed, the vault still
    /// refuses to pay more than the amount.
    function test_claim_feeAboveAmountRefused() public {
        Withdrawal memory w = wdFee(1, address(token), bob, 1 ether, 1 ether + 1);
        (uint64 n,) = checkpointOf(one(w));
        vm.expectRevert(abi.encodeWithSelector(Vault.FeeAboveAmount.selector, 1, 1 ether + 1, 1 ether));
        vm.prank(relayer);
        vault.claim(w, n, new bytes32[](0));
        assertTrue(!vault.isClaimed(1), "not spent");
        assertEq(token.balanceOf(relayer), 0, "nothing paid");
    }

    /// The daily limit and the threshold weigh the whole amount, fee included.
    function test_claim_limitAndThresholdCountTheWholeAmount() public {
        Withdrawal[] memory ws = new Withdrawal[](2);
        ws[0] = wdFee(1, address(token), bob, LARGE, LARGE / 2);
        ws[1] = wdFee(2, address(token), bob, uint256(LARGE) + 1, LARGE);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        vm.prank(relayer);
        vault.claim(ws[0], n, Merkle.proof(leaves, 0));
        assertEq(vault.remainingDailyLimit(address(token)), DAILY - LARGE, "the whole amount counted");
        vm.prank(relayer);
        vault.claim(ws[1], n, Merkle.proof(leaves, 1));
        assertEq(vault.queuedClaim(2).unlockAt, block.timestamp + vault.largeClaimDelay(), "above the threshold: queued");
    }

    function test_claim_paysEth() public {
        Withdrawal[] memory ws = new Withdrawal[](3);
        ws[0] = wd(1, address(token), bob, 1 ether);
        ws[1] = wd(2, address(0), bob, 2 ether);
        ws[2] = wd(3, address(0), alice, 3 ether);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        uint256 before = bob.balance;
        vault.claim(ws[1], n, Merkle.proof(leaves, 1));
        assertEq(bob.balance, before + 2 ether, "eth paid");
    }

    function testFuzz_claim_anyLeafOfAnyTree(uint8 size, uint256 index, uint256 seed) public {
        uint256 n = bound(size, 1, 64);
        index = bound(index, 0, n - 1);
        Withdrawal[] memory ws = new Withdrawal[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 amount = bound(uint256(keccak256(abi.encode(seed, i))), 1, LARGE);
            uint256 fee = bound(uint256(keccak256(abi.encode(seed, i, "fee"))), 0, amount);
            address tok = i % 3 == 0 ? address(0) : address(token);
            ws[i] = wdFee(uint64(100 + i), tok, address(uint160(0x1000 + i)), amount, fee);
        }
        (uint64 cpn, bytes32[] memory leaves) = checkpointOf(ws);
        Withdrawal memory w = ws[index];
        uint256 before = balanceIn(w.token, w.recipient);
        uint256 relayerBefore = balanceIn(w.token, relayer);
        vm.prank(relayer);
        vault.claim(w, cpn, Merkle.proof(leaves, index));
        assertEq(balanceIn(w.token, w.recipient), before + w.amount - w.fee, "recipient paid the amount less the fee");
        assertEq(balanceIn(w.token, relayer), relayerBefore + w.fee, "relayer paid the fee");
    }

    function testFuzz_claim_tamperedWithdrawalOrProofRejected(uint8 size, uint256 index, uint256 seed, uint8 what)
        public
    {
        uint256 n = bound(size, 2, 32);
        index = bound(index, 0, n - 1);
        Withdrawal[] memory ws = new Withdrawal[](n);
        for (uint256 i = 0; i < n; ++i) {
            ws[i] = wd(uint64(i + 1), address(token), address(uint160(0x1000 + i)), 1 ether + i);
        }
        (uint64 cpn, bytes32[] memory leaves) = checkpointOf(ws);
        Withdrawal memory w = ws[index];
        bytes32[] memory proof = Merkle.proof(leaves, index);
        uint256 k = bound(what, 0, 5);
        if (k == 5) w.fee += 1 + (seed % 1 ether);
        else if (k == 0) w.amount += 1 + (seed % 1 ether);
        else if (k == 1) w.recipient = address(uint160(uint256(keccak256(abi.encode(seed)))));
        else if (k == 2) w.id = uint64(n + 1 + (seed % 1000));
        else if (k == 3) proof[seed % proof.length] = keccak256(abi.encode(seed, "forged"));
        else w.token = address(0);
        vm.expectRevert(abi.encodeWithSelector(Vault.InvalidProof.selector));
        vault.claim(w, cpn, proof);
    }

    function test_claim_innerNodeCannotPassAsLeaf() public {
        Withdrawal[] memory ws = new Withdrawal[](4);
        for (uint256 i = 0; i < 4; ++i) ws[i] = wd(uint64(i + 1), address(token), bob, 1 ether);
        (uint64 n,) = checkpointOf(ws);
        // Withdrawal fields cannot be chosen so that their 224-byte encoding equals a 64-byte node:
        // the only way in is a real leaf, so any other tuple fails.
        vm.expectRevert(abi.encodeWithSelector(Vault.InvalidProof.selector));
        vault.claim(wd(0, address(0), address(0), 0), n, new bytes32[](0));
    }

    function test_Nomad_zeroRootClaimRejected() public {
        uint64 n = submitRoot(bytes32(0)); // an empty period
        // Under a zero root, the all-zero "withdrawal" with an empty proof is exactly what Nomad accepted.
        vm.expectRevert(abi.encodeWithSelector(Vault.UnknownWithdrawalsRoot.selector, n));
        vault.claim(wd(0, address(0), bob, 0), n, new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(Vault.UnknownWithdrawalsRoot.selector, n));
        vault.claim(wd(1, address(token), bob, 1 ether), n, new bytes32[](0));
    }

    function test_Nomad_claimOnNonexistentCheckpointRejected() public {
        Withdrawal memory w = wd(1, address(token), bob, 1 ether);
        checkpointOf(one(w));
        vm.expectRevert(abi.encodeWithSelector(Vault.UnknownWithdrawalsRoot.selector, 2));
        vault.claim(w, 2, new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(Vault.UnknownWithdrawalsRoot.selector, 0));
        vault.claim(w, 0, new bytes32[](0));
    }

    function test_Replay_withdrawalClaimedTwiceRejected() public {
        Withdrawal memory w = wd(1, address(token), bob, 1 ether);
        (uint64 n,) = checkpointOf(one(w));
        vault.claim(w, n, new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(Vault.AlreadyClaimed.selector, 1));
        vault.claim(w, n, new bytes32[](0));
        // The same withdrawal included again in a later checkpoint is still spent.
        (uint64 n2,) = checkpointOf(one(w));
        vm.expectRevert(abi.encodeWithSelector(Vault.AlreadyClaimed.selector, 1));
        vault.claim(w, n2, new bytes32[](0));
        assertEq(token.balanceOf(bob), 1 ether, "paid once");
    }

    function testFuzz_Replay_claimedBitmapIsPerId(uint64 idA, uint64 idB) public {
        vm.assume(idA != idB);
        Withdrawal[] memory ws = new Withdrawal[](2);
        ws[0] = wd(idA, address(token), bob, 1);
        ws[1] = wd(idB, address(token), bob, 2);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        vault.claim(ws[0], n, Merkle.proof(leaves, 0));
        assertTrue(vault.isClaimed(idA) && !vault.isClaimed(idB), "only A");
        vault.claim(ws[1], n, Merkle.proof(leaves, 1));
        assertTrue(vault.isClaimed(idB), "B");
    }

    function test_claim_unregisteredTokenRejected() public {
        Withdrawal memory w = wd(1, address(0x1234), bob, 1);
        (uint64 n,) = checkpointOf(one(w));
        vm.expectRevert(abi.encodeWithSelector(Vault.TokenNotRegistered.selector, address(0x1234)));
        vault.claim(w, n, new bytes32[](0));
    }

    /// Issue 9, item 7: a claim over what the limit holds now is queued, not refused, and is paid
    /// by anyone once the limit has refilled enough (or the delay has passed).
    function test_Multichain_claimBeyondLimitQueuedThenPaidWhenLimitAllows() public {
        Withdrawal[] memory ws = new Withdrawal[](12);
        for (uint256 i = 0; i < 12; ++i) ws[i] = wd(uint64(i + 1), address(token), bob, LARGE); // each at the threshold
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        for (uint256 i = 0; i < 10; ++i) vault.claim(ws[i], n, Merkle.proof(leaves, i));
        assertEq(vault.remainingDailyLimit(address(token)), 0, "limit used up");
        uint64 unlockAt = uint64(block.timestamp + 1 days);
        vm.expectEmit();
        emit ClaimQueued(11, address(token), bob, LARGE, unlockAt);
        vault.claim(ws[10], n, Merkle.proof(leaves, 10));
        assertTrue(vault.isClaimed(11), "queued claims are spent");
        assertEq(token.balanceOf(bob), 10 * uint256(LARGE), "not paid yet");
        vm.expectRevert(abi.encodeWithSelector(Vault.ClaimLocked.selector, 11, unlockAt));
        vault.executeDelayed(11);
        // A tenth of a day refills a tenth of the limit: exactly one more claim's worth.
        vm.warp(block.timestamp + 1 days / 10);
        vm.prank(address(0xCAFE));
        vault.executeDelayed(11);
        assertEq(token.balanceOf(bob), 11 * uint256(LARGE), "paid from the refilled limit");
        assertEq(vault.remainingDailyLimit(address(token)), 0, "and it counted against the limit");
    }

    /// Issue 9, item 7: the limit does not reset at UTC midnight: claiming it all just before and
    /// again just after moves one limit, not two.
    function test_Multichain_noDoubleLimitAcrossMidnight() public {
        vm.warp((block.timestamp / 1 days + 1) * 1 days - 1); // 23:59:59
        Withdrawal[] memory ws = new Withdrawal[](20);
        for (uint256 i = 0; i < 20; ++i) ws[i] = wd(uint64(i + 1), address(token), bob, LARGE);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        for (uint256 i = 0; i < 10; ++i) vault.claim(ws[i], n, Merkle.proof(leaves, i));
        vm.warp(block.timestamp + 2); // 00:00:01
        for (uint256 i = 10; i < 20; ++i) vault.claim(ws[i], n, Merkle.proof(leaves, i));
        assertEq(token.balanceOf(bob), 10 * uint256(LARGE), "one limit, not two");
        for (uint256 i = 10; i < 20; ++i) assertTrue(vault.queuedClaim(uint64(i + 1)).unlockAt != 0, "the rest wait");
    }

    /// Issue 9, item 7: one holder using up the limit cannot starve small claims: they wait at most
    /// the delay, then anyone pays them regardless of the limit.
    function test_Multichain_largeHolderCannotStarveSmallClaims() public {
        vm.prank(admin);
        vault.configureToken(address(token), true, 0, LARGE, 0);
        Withdrawal memory w = wd(1, address(token), bob, 1);
        (uint64 n,) = checkpointOf(one(w));
        vault.claim(w, n, new bytes32[](0));
        assertEq(token.balanceOf(bob), 0, "a zero limit queues every claim");
        vm.warp(block.timestamp + vault.largeClaimDelay());
        vault.executeDelayed(1);
        assertEq(token.balanceOf(bob), 1, "paid after the delay");
    }

    function testFuzz_Multichain_limit(uint256 a, uint256 b) public {
        a = bound(a, 1, LARGE);
        b = bound(b, 1, LARGE);
        vm.prank(admin);
        vault.configureToken(address(token), true, uint128(LARGE + LARGE / 2), LARGE, 0);
        Withdrawal[] memory ws = new Withdrawal[](2);
        ws[0] = wd(1, address(token), bob, a);
        ws[1] = wd(2, address(token), bob, b);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        vault.claim(ws[0], n, Merkle.proof(leaves, 0));
        uint256 limit = LARGE + LARGE / 2;
        vault.claim(ws[1], n, Merkle.proof(leaves, 1));
        bool queued = vault.queuedClaim(2).unlockAt != 0;
        assertTrue(queued == (a + b > limit), "queued exactly when over the limit");
        assertEq(token.balanceOf(bob), queued ? a : a + b, "paid what the limit holds");
    }

    /// Issue 9, item 7: the delay setter is bounded (a huge delay overflowed and blocked every large claim).
    function test_setLargeClaimDelay_bounded() public {
        uint64 max = vault.MAX_LARGE_CLAIM_DELAY();
        vm.expectRevert(abi.encodeWithSelector(Vault.DelayTooLong.selector, type(uint64).max, max));
        vm.prank(admin);
        vault.setLargeClaimDelay(type(uint64).max);
        vm.prank(admin);
        vault.setLargeClaimDelay(max);
        Withdrawal memory w = wd(1, address(token), bob, uint256(LARGE) + 1);
        (uint64 n,) = checkpointOf(one(w));
        vault.claim(w, n, new bytes32[](0));
        assertEq(vault.queuedClaim(1).unlockAt, block.timestamp + max, "queued for the longest delay");
    }

    function test_Harmony_largeClaimBeforeDelayRejected() public {
        Withdrawal memory w = wd(1, address(token), bob, uint256(LARGE) + 1);
        (uint64 n,) = checkpointOf(one(w));
        uint64 unlockAt = uint64(block.timestamp + 1 days);
        vm.expectEmit();
        emit ClaimQueued(1, address(token), bob, w.amount, unlockAt);
        vault.claim(w, n, new bytes32[](0));
        assertEq(token.balanceOf(bob), 0, "not paid yet");
        vm.expectRevert(abi.encodeWithSelector(Vault.ClaimLocked.selector, 1, unlockAt));
        vault.executeDelayed(1);
        vm.warp(unlockAt - 1);
        vm.expectRevert(abi.encodeWithSelector(Vault.ClaimLocked.selector, 1, unlockAt));
        vault.executeDelayed(1);
        // Claiming again does not bypass the queue.
        vm.expectRevert(abi.encodeWithSelector(Vault.AlreadyClaimed.selector, 1));
        vault.claim(w, n, new bytes32[](0));

        vm.warp(unlockAt);
        vm.prank(address(0xCAFE));
        vault.executeDelayed(1);
        assertEq(token.balanceOf(bob), w.amount, "paid after delay");
        vm.expectRevert(abi.encodeWithSelector(Vault.NotQueued.selector, 1));
        vault.executeDelayed(1);
    }

    function test_executeDelayed_paysTheFeeToTheExecutor() public {
        Withdrawal memory w = wdFee(1, address(token), bob, uint256(LARGE) + 10 ether, 1 ether);
        (uint64 n,) = checkpointOf(one(w));
        vm.prank(relayer);
        vault.claim(w, n, new bytes32[](0));
        assertEq(vault.queuedClaim(1).fee, 1 ether, "the queued claim keeps its fee");
        assertEq(token.balanceOf(relayer), 0, "nothing paid when queued");
        vm.warp(block.timestamp + vault.largeClaimDelay());
        address executor = address(0xE8EC);
        vm.expectEmit();
        emit Claimed(1, address(token), bob, w.amount, 0, executor, 1 ether);
        vm.prank(executor);
        vault.executeDelayed(1);
        assertEq(token.balanceOf(bob), w.amount - 1 ether, "recipient paid the amount less the fee");
        assertEq(token.balanceOf(executor), 1 ether, "whoever made the payment happen is paid the fee");
        assertEq(token.balanceOf(relayer), 0, "not the one who queued it");
    }

    function test_Harmony_guardianCancelsQueuedClaimDuringIncident() public {
        Withdrawal memory w = wd(1, address(0), bob, uint256(LARGE) * 5);
        (uint64 n,) = checkpointOf(one(w));
        vault.claim(w, n, new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(Vault.CancelRequiresPause.selector));
        vm.prank(guardian);
        vault.cancelQueued(1);
        vm.prank(guardian);
        vault.pause();
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(alice);
        vault.cancelQueued(1);
        vm.prank(guardian);
        vault.cancelQueued(1);
        vm.prank(admin);
        vault.unpause();
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert(abi.encodeWithSelector(Vault.ClaimFrozen.selector, 1));
        vault.executeDelayed(1);
        vm.expectRevert(abi.encodeWithSelector(Vault.AlreadyClaimed.selector, 1));
        vault.claim(w, n, new bytes32[](0));
    }

    /// Issue 9, item 5: a cancelled (frozen) claim stays recoverable: the admin, and only the admin,
    /// releases it to its recipient after FROZEN_RELEASE_DELAY; the guardian cannot pay it.
    function test_frozenClaim_releasedToRecipientByAdminAfterDelay() public {
        Withdrawal memory w = wdFee(1, address(token), bob, uint256(LARGE) * 5, 2 ether);
        (uint64 n,) = checkpointOf(one(w));
        vault.claim(w, n, new bytes32[](0));
        vm.prank(guardian);
        vault.pause();
        uint64 releasableAt = uint64(block.timestamp) + vault.FROZEN_RELEASE_DELAY();
        vm.prank(guardian);
        vault.cancelQueued(1);
        Vault.QueuedClaim memory q = vault.queuedClaim(1);
        assertTrue(q.frozen, "frozen, not deleted");
        assertEq(q.recipient, bob, "recipient kept");
        assertEq(q.amount, w.amount, "amount kept");
        assertEq(q.fee, 2 ether, "fee kept");
        vm.prank(admin);
        vault.unpause();

        vm.expectRevert(abi.encodeWithSelector(Vault.ClaimLocked.selector, 1, releasableAt));
        vm.prank(admin);
        vault.releaseFrozen(1);
        vm.warp(releasableAt);
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(guardian);
        vault.releaseFrozen(1);
        vm.expectRevert(abi.encodeWithSelector(Vault.ClaimFrozen.selector, 1));
        vault.executeDelayed(1);
        vm.expectEmit();
        emit Claimed(1, address(token), bob, w.amount, 0, admin, 0);
        vm.prank(admin);
        vault.releaseFrozen(1);
        assertEq(token.balanceOf(bob), w.amount, "the whole amount paid to the withdrawal's recipient");
        assertEq(token.balanceOf(admin), 0, "no fee for the admin");
        vm.expectRevert(abi.encodeWithSelector(Vault.NotFrozen.selector, 1));
        vm.prank(admin);
        vault.releaseFrozen(1);
    }

    /// Issue 9, item 5: the guardian may pause but not undo an incident pause; the admin unpauses.
    function test_pause_guardian_unpause_onlyAdmin() public {
        vm.prank(guardian);
        vault.pause();
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(guardian);
        vault.unpause();
        assertTrue(vault.paused(), "still paused");
        vm.prank(admin);
        vault.unpause();
        assertTrue(!vault.paused(), "unpaused by the admin");
    }

    function test_executeDelayed_refusedWhilePaused() public {
        Withdrawal memory w = wd(1, address(token), bob, uint256(LARGE) + 1);
        (uint64 n,) = checkpointOf(one(w));
        vault.claim(w, n, new bytes32[](0));
        vm.warp(block.timestamp + 1 days);
        vm.prank(guardian);
        vault.pause();
        vm.expectRevert(abi.encodeWithSelector(Vault.BridgePaused.selector));
        vault.executeDelayed(1);
    }

    function test_claim_refusedWhilePausedOrAfterEquivocation() public {
        Withdrawal memory w = wd(1, address(token), bob, 1 ether);
        (uint64 n,) = checkpointOf(one(w));
        vm.expectPartialRevert(IAccessControl.AccessControlUnauthorizedAccount.selector);
        vm.prank(alice);
        vault.pause();
        vm.prank(guardian);
        vault.pause();
        vm.expectRevert(abi.encodeWithSelector(Vault.BridgePaused.selector));
        vault.claim(w, n, new bytes32[](0));
        vm.prank(admin);
        vault.unpause();

        // Equivocation on the Checkpoints side stops the vault too.
        Checkpoint memory a = nextCp(keccak256("a"));
        Checkpoint memory b = nextCp(keccak256("b"));
        cps.proveEquivocation(a, signCp(a, 3), b, signCp(b, 3));
        vm.expectRevert(abi.encodeWithSelector(Vault.BridgePaused.selector));
        vault.claim(w, n, new bytes32[](0));
        vm.prank(admin);
        cps.unpause();
        vault.claim(w, n, new bytes32[](0));
        assertEq(token.balanceOf(bob), 1 ether, "paid after resume");
    }

    function test_claim_reentrancyBlocked() public {
        ReentrantRecipient evil = new ReentrantRecipient();
        Withdrawal[] memory ws = new Withdrawal[](2);
        ws[0] = wd(1, address(0), address(evil), 1 ether);
        ws[1] = wd(2, address(0), address(evil), 1 ether);
        (uint64 n, bytes32[] memory leaves) = checkpointOf(ws);
        evil.arm(vault, ws[1], n, Merkle.proof(leaves, 1));
        vm.expectRevert(abi.encodeWithSelector(Vault.EthTransferFailed.selector, address(evil), 1 ether));
        vault.claim(ws[0], n, Merkle.proof(leaves, 0));
        assertTrue(!vault.isClaimed(1) && !vault.isClaimed(2), "nothing claimed");
    }
}
