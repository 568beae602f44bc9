// The light arrow: draws a signal on the LED wiring with johnny-five's Led and Led.RGB, which
// already know how to blink, pulse and invert a common-anode part.
import { Animation, Board, Led, RGB } from "./johnny-five.ts";
import type { Signal } from "../model.ts";
import type { LedSpec } from "./led-spec.ts";
import { RGB_LOOKS, SINGLE_LOOKS, TRAFFIC_LOOKS, type TrafficLamp } from "./looks.ts";

export interface Lamp {
  show(signal: Signal): void;
  /** Stop every effect and switch the LED off (before the process lets go of the board). */
  dark(): void;
  /** Stop every effect without writing: the board is gone. */
  halt(): void;
}

type JohnnyBoard = InstanceType<typeof Board>;

// johnny-five 2.1.0 sets Led.RGB.prototype[Animation.keys] from RGB.colors one line before it
// defines RGB.colors, so any Animation of an RGB LED throws in its first frame. Mend it here.
const ANIMATION_KEYS = "@@keys"; // johnny-five's Animation.keys
const rgbPrototype = RGB.prototype as unknown as Record<string, unknown>;
rgbPrototype[ANIMATION_KEYS] ??= ["red", "green", "blue"];

export function createLamp(board: JohnnyBoard, spec: LedSpec): Lamp {
  if (spec.kind === "single") return singleLamp(board, spec.pin);
  return spec.kind === "traffic" ? trafficLamp(board, spec) : rgbLamp(board, spec);
}

function singleLamp(board: JohnnyBoard, pin: number): Lamp {
  const led = new Led({ board, pin });
  return {
    show(signal) {
      const look = SINGLE_LOOKS[signal];
      led.stop();
      if (look.effect === "solid") led.on();
      else if (look.effect === "blink") led.blink(look.periodMs ?? 500);
      else led.off();
    },
    dark() {
      led.stop().off();
    },
    halt() {
      led.stop();
    },
  };
}

function rgbLamp(board: JohnnyBoard, spec: Extract<LedSpec, { kind: "rgb" }>): Lamp {
  const led = new RGB({ board, pins: spec.pins, isAnode: spec.anode });
  let animation: InstanceType<typeof Animation> | undefined;
  const still = () => {
    animation?.stop();
    animation = undefined;
    led.stop();
  };
  return {
    show(signal) {
      const look = RGB_LOOKS[signal];
      still();
      led.intensity(100);
      led.color(look.color);
      if (look.effect === "solid") led.on();
      else if (look.effect === "blink") led.blink(look.periodMs ?? 500);
      else if (look.effect === "pulse") {
        // Led.RGB has no pulse(); an Animation over its colour and intensity is what Led.pulse does.
        animation = new Animation(led);
        animation.enqueue({
          duration: look.periodMs ?? 1000,
          cuePoints: [0, 1],
          keyFrames: [
            { color: look.color, intensity: 5 },
            { color: look.color, intensity: 100 },
          ],
          loop: true,
          metronomic: true,
          easing: "inOutSine",
        });
      } else led.off();
    },
    dark() {
      still();
      led.off();
    },
    halt: still,
  };
}

function trafficLamp(board: JohnnyBoard, spec: Extract<LedSpec, { kind: "traffic" }>): Lamp {
  const lamps: Record<TrafficLamp, InstanceType<typeof Led>> = {
    red: new Led({ board, pin: spec.pins.red }),
    yellow: new Led({ board, pin: spec.pins.yellow }),
    green: new Led({ board, pin: spec.pins.green }),
  };
  const names = Object.keys(lamps) as TrafficLamp[];
  // One timer steps all three lamps, so lamps that take turns stay in step (three Led.blink
  // timers would drift apart).
  let timer: NodeJS.Timeout | undefined;
  const still = () => {
    clearInterval(timer);
    timer = undefined;
  };
  // Dark lamps first: a lamp handing over to another never shows both lit for an instant.
  const draw = (lit: TrafficLamp[]) => {
    for (const name of names) if (!lit.includes(name)) lamps[name].off();
    for (const name of lit) lamps[name].on();
  };
  return {
    show(signal) {
      const { frames, stepMs } = TRAFFIC_LOOKS[signal];
      still();
      let frame = 0;
      draw(frames[0]!);
      if (frames.length > 1) {
        timer = setInterval(() => {
          frame = (frame + 1) % frames.length;
          draw(frames[frame]!);
        }, stepMs ?? 500);
      }
    },
    dark() {
      still();
      draw([]);
    },
    halt: still,
  };
}
