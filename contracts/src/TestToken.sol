// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Ludus Test Token
/// @notice The ERC-20 the devnet (`ludus-devnet`) deploys beside the bridge, so that bridging a token can be tried
/// without finding one: "Ludus Test Token" (TEST), 18 decimals. It has no faucet: the constructor gives each
/// holder it is handed (the devnet passes anvil's ten dev accounts) `PER_HOLDER`, and that is all there ever is.
contract TestToken is ERC20 {
    /// @notice What the constructor mints to each holder: one million TEST.
    uint256 public constant PER_HOLDER = 1_000_000 ether;

    /// @param holders the accounts that start with `PER_HOLDER` each (a repeated address gets it twice).
    constructor(address[] memory holders) ERC20("Ludus Test Token", "TEST") {
        for (uint256 i = 0; i < holders.length; i++) {
            _mint(holders[i], PER_HOLDER);
        }
    }
}
