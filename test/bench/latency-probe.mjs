// Preloaded into the latency stage's agent child (`--import`), plain JS so the bundle runs as
// deployed: stamps, inside the agent, when bytes arrive from the API server and when a Firmata
// digital-port message is handed to the serial port's write. The bench pairs them per flip to
// give the agent's own share of the change → LED latency. Written to $PROBE_OUT at exit.
import fs from "node:fs";
import net from "node:net";

const apiPort = Number(process.env.PROBE_API_PORT);
const stamps = [];
const now = () => performance.timeOrigin + performance.now();

// Socket data from the API server, as the HTTP parser is about to see it.
const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (event, ...args) {
  if (event === "data" && this.remotePort === apiPort) stamps.push(["api", now()]);
  return emit.call(this, event, ...args);
};

// serialport's Linux binding writes with fs.write on the tty's descriptor: a DIGITAL_MESSAGE
// (0x90 | port) is the LED changing.
const write = fs.write;
fs.write = function (fd, buffer, ...rest) {
  if (Buffer.isBuffer(buffer) && buffer.length > 0 && (buffer[0] & 0xf0) === 0x90) stamps.push(["led", now()]);
  return write.call(this, fd, buffer, ...rest);
};

process.on("exit", () => fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(stamps)));
