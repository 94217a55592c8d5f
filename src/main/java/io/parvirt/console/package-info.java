/**
 * Virtual consoles (the HMC's vterm): each active partition's serial port is a QEMU chardev Unix
 * socket that QEMU serves; {@link io.parvirt.console.VirtualConsole} is parvirt's one client of it.
 *
 * <pre>
 *  QEMU serial chardev ──► ChardevPort ──► ConsoleLoop ─┬─► ConsoleLog   (&lt;name&gt;.log, .1 .. .3)
 *    (server=on,wait=off)        ▲                      ├─► OutputRing   (last 64 KiB, for tail)
 *                                │                      ├─► VtermServer ──► VtermSession ──► mkvterm (keyboard)
 *                                │                      │                 └─► VtermSession ×N ──► viewers (read-only)
 *                                │                      └─► LineDecoder ──► LineDispatcher ──► listeners
 *                                └──────────── input ◄──────────────────────── VtermSession
 * </pre>
 *
 * The shape is the device back end's (STYLE.md §6): the codec ({@link io.parvirt.console.LineDecoder}),
 * the ports ({@link io.parvirt.console.ChardevPort}, {@link io.parvirt.console.VtermSession}), the
 * loop ({@link io.parvirt.console.ConsoleLoop}) and the counters ({@link io.parvirt.console.Counters}).
 * Logging comes first and never waits for anyone: a slow vterm client loses output (counted), a
 * slow listener loses lines (counted), the log and the ring lose nothing.
 */
package io.parvirt.console;
