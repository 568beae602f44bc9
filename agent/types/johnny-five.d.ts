// The slice of johnny-five's API that fluxlight uses (the package ships no types).
declare module "johnny-five" {
  import { EventEmitter } from "node:events";

  interface BoardOptions {
    io: unknown;
    repl?: boolean;
    debug?: boolean;
    sigint?: boolean;
    timeout?: number;
  }
  class Board extends EventEmitter {
    constructor(options: BoardOptions);
    isReady: boolean;
    io: unknown;
  }
  interface ComponentOptions {
    board: Board;
  }
  class Led {
    constructor(options: ComponentOptions & { pin: number });
    on(): this;
    off(): this;
    stop(): this;
    blink(ms: number): this;
    pulse(ms: number): this;
  }
  namespace Led {
    class RGB {
      constructor(options: ComponentOptions & { pins: { red: number; green: number; blue: number }; isAnode?: boolean });
      color(hex: string): this;
      on(): this;
      off(): this;
      stop(): this;
      blink(ms: number): this;
      intensity(level: number): this;
    }
  }
  interface AnimationSegment {
    duration: number;
    cuePoints: number[];
    keyFrames: unknown[];
    loop?: boolean;
    metronomic?: boolean;
    easing?: string;
  }
  class Animation {
    constructor(target: unknown);
    enqueue(segment: AnimationSegment): this;
    stop(): void;
  }
  const five: { Board: typeof Board; Led: typeof Led; Animation: typeof Animation };
  export default five;
}

// johnny-five's own modules, imported one by one (agent/light/johnny-five.ts).
declare module "johnny-five/lib/board.js" {
  import five from "johnny-five";
  const Board: typeof five.Board;
  export default Board;
}
declare module "johnny-five/lib/led/led.js" {
  import five from "johnny-five";
  const Led: Omit<typeof five.Led, "RGB"> & (new (...args: ConstructorParameters<typeof five.Led>) => InstanceType<typeof five.Led>);
  export default Led;
}
declare module "johnny-five/lib/led/rgb.js" {
  import five from "johnny-five";
  const RGB: typeof five.Led.RGB;
  export default RGB;
}
declare module "johnny-five/lib/animation.js" {
  import five from "johnny-five";
  const Animation: typeof five.Animation;
  export default Animation;
}

declare module "firmata-io" {
  import { EventEmitter } from "node:events";
  interface PinInfo {
    supportedModes: number[];
    mode?: number;
    value?: number;
    analogChannel?: number;
  }
  class Firmata extends EventEmitter {
    constructor(transport: unknown, options?: { reportVersionTimeout?: number; skipCapabilities?: boolean });
    isReady: boolean;
    pins: PinInfo[];
    firmware: { name: string; version: { major: number; minor: number } };
    MODES: Record<string, number>;
    sysexCommand(message: number[]): this;
    sysexResponse(commandByte: number, handler: (data: number[]) => void): this;
    clearSysexResponse(commandByte: number): this;
    reset(): void;
    reportVersion(callback: () => void): void;
    transport: EventEmitter & { write(data: Buffer, cb?: (err?: Error) => void): boolean };
  }
  const bindTransport: ((transport: unknown) => typeof bindTransport) & { Firmata: typeof Firmata };
  export default bindTransport;
}
