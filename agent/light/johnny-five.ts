// The parts of johnny-five the light uses, each from its own module: johnny-five's index requires
// every component class (servos, GPS, LCDs, …), 230 KB of code and ≈ 1.7 MiB of resident memory
// that a status light never runs (measured: BENCHMARKS.md).
import Board from "johnny-five/lib/board.js";
import Led from "johnny-five/lib/led/led.js";
import RGB from "johnny-five/lib/led/rgb.js";
import Animation from "johnny-five/lib/animation.js";

export { Animation, Board, Led, RGB };
