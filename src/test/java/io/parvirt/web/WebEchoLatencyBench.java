package io.parvirt.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import io.parvirt.testing.Await;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Issue 16's benchmark: a keystroke's echo in the browser console (the page's terminal → WebSocket
 * → console → the guest's serial port → the guest's shell echoes it → back to the terminal's
 * screen), against the same keystroke through the console's keyboard socket as mkvterm uses it (a
 * raw Unix socket client: the anchor), on one real TCG guest, in the same run. Rounds alternate
 * (anchor, browser, anchor, browser) so that the machine's load falls on both alike. Each keystroke
 * is one lower-case letter typed at the end of the shell's input line; its time ends when the
 * letter is on screen (browser: in xterm's buffer, after parsing; anchor: read from the socket).
 * Results: bench/RESULTS.md. Run: {@code ./test guest -Dtest=WebEchoLatencyBench}.
 */
@Tag("guest")
class WebEchoLatencyBench {
    static final String KEYS = "abcdefgijkopqrsuvwxy"; // 20 letters no control sequence ends with here
    static final int ROUNDS = 2;

    @Test
    void keystrokeEchoThroughTheBrowserAgainstTheKeyboardSocket() throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start("accel=auto\n"); Browser browser = new Browser(daemon.port())) {
            assertThat(daemon.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=lp1,profile_name=default,"
                    + "lpar_env=aixlinux,min_mem=256,desired_mem=256,max_mem=512,proc_mode=shared,min_proc_units=0.1,"
                    + "desired_proc_units=0.5,max_proc_units=2.0,min_procs=1,desired_procs=1,max_procs=4,"
                    + "sharing_mode=uncap,uncap_weight=128").exit()).isZero();
            assertThat(daemon.hmc("mkhmcusr", "-u", "olivia", "-a", "hmcoperator", "--passwd", "operator1").exit())
                    .isZero();
            assertThat(daemon.hmc("chsysstate", "-m", "sys1", "-r", "lpar", "-n", "lp1", "-o", "on", "-f", "default")
                    .exit()).isZero();
            Await.until("lp1 running", Duration.ofSeconds(240), () -> daemon.hmc("lssyscfg", "-r", "lpar", "-m", "sys1",
                    "-F", "state").stdout().strip(), "Running"::equals);
            Path socket = daemon.home().run().resolve("vterm").resolve("1.sock");
            browser.login("olivia", "operator1");
            List<Double> anchor = new ArrayList<>();
            List<Double> web = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                anchor.addAll(throughSocket(socket));
                web.addAll(throughBrowser(browser));
            }
            double a = median(anchor);
            double w = median(web);
            System.out.printf("echo bench: keystroke echo, %d keys each: keyboard socket (mkvterm's) median %.1f ms "
                    + "[min %.1f, max %.1f]; browser console median %.1f ms [min %.1f, max %.1f]; browser - socket "
                    + "%.1f ms%n", anchor.size(), a, min(anchor), max(anchor), w, min(web), max(web), w - a);
            // the issue's target is 30 ms beyond mkvterm; asserted with room for a loaded 2-core machine
            assertThat(w - a).isLessThan(300);
        }
    }

    /** One line of keystrokes through the keyboard socket, timed from the write to the echo read back. */
    static List<Double> throughSocket(Path socket) throws IOException {
        List<Double> times = new ArrayList<>();
        try (SocketChannel ch = keyboard(socket)) {
            for (char c : KEYS.toCharArray()) {
                long t0 = System.nanoTime();
                write(ch, String.valueOf(c));
                readUntil(ch, String.valueOf(c), 10_000);
                times.add((System.nanoTime() - t0) / 1e6);
            }
            write(ch, "\u0015"); // Ctrl-U: the line is dropped, nothing runs
        }
        return times;
    }

    /** The keyboard, once the browser that held it has let it go (its socket closes a moment after the page). */
    private static SocketChannel keyboard(Path socket) throws IOException {
        for (int attempt = 0; ; attempt++) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                write(ch, "\r");
                readUntil(ch, "# ", 60_000);
                return ch;
            } catch (IOException e) {
                ch.close();
                if (attempt == 50) {
                    throw e;
                }
                try {
                    Thread.sleep(100); // a retry's back-off: the refusal (HSCL8003) ends the socket at once
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void write(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads until {@code want} appears outside escape sequences (the guest's cursor queries are skipped). */
    private static void readUntil(SocketChannel ch, String want, long timeoutMs) throws IOException {
        StringBuilder seen = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < end) {
            b.clear();
            if (ch.read(b) < 0) {
                throw new IOException("the console ended");
            }
            seen.append(new String(b.array(), 0, b.position(), StandardCharsets.ISO_8859_1));
            if (seen.toString().replaceAll("\u001b\\[[0-?]*[ -/]*[@-~]", "").contains(want)) {
                return;
            }
        }
        throw new IOException("no " + want + " within " + timeoutMs + " ms: " + seen);
    }

    /**
     * The same line typed in the page's terminal: {@code term.input} is what xterm.js calls for a key
     * (its keyboard handling before it is some microseconds), timed until the letter is parsed onto
     * the screen's cursor line.
     */
    @SuppressWarnings("unchecked")
    static List<Double> throughBrowser(Browser browser) {
        browser.open("#/partition/lp1");
        browser.find("#open-console").click();
        browser.waitFor(d -> "keyboard".equals(d.findElement(By.id("console-status")).getDomAttribute("data-mode")));
        browser.typeInTerminal(org.openqa.selenium.Keys.ENTER);
        browser.waitFor(d -> browser.terminal().strip().endsWith("#"));
        browser.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
        List<Number> times = (List<Number>) browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const keys = arguments[0], t = window.parvirtTerm, out = [];
                const line = () => { const b = t.buffer.active; return b.getLine(b.baseY + b.cursorY).translateToString(true); };
                let i = 0, typed = '';
                function next() {
                  if (i >= keys.length) { t.input('\\u0015', true); done(out); return; }
                  const c = keys[i++]; typed += c;
                  const t0 = performance.now();
                  const sub = t.onWriteParsed(() => {
                    if (line().endsWith(typed)) { sub.dispose(); out.push(performance.now() - t0); setTimeout(next, 20); }
                  });
                  t.input(c, true);
                }
                next();
                """, KEYS);
        browser.open("#/partitions"); // leaves the page: its console closes and frees the keyboard
        browser.waitFor(d -> !d.findElements(By.id("partitions")).isEmpty());
        return times.stream().map(Number::doubleValue).toList();
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    static double min(List<Double> v) {
        return v.stream().mapToDouble(d -> d).min().orElse(0);
    }

    static double max(List<Double> v) {
        return v.stream().mapToDouble(d -> d).max().orElse(0);
    }
}
