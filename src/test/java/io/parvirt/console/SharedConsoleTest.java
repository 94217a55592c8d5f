package io.parvirt.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16: one console, one keyboard, many read-only viewers; the keyboard can be taken over. */
@Tag("unit")
class SharedConsoleTest {
    @TempDir
    Path dir;

    Path view(ConsoleRig rig) {
        return VirtualConsole.viewSocket(rig.vterm());
    }

    @Test
    void viewersSeeTheSameOutputLiveAndWhatTheyTypeNeverReachesTheGuest() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient keyboard = new SessionClient(rig.vterm());
                SessionClient a = new SessionClient(view(rig)); SessionClient b = new SessionClient(view(rig))) {
            assertThat(Files.getPosixFilePermissions(view(rig))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Await.until("two viewers", Duration.ofSeconds(5), rig.console::viewerCount, n -> n == 2);
            a.send("rm -rf /\r");
            keyboard.send("uname\r");
            rig.qemu.awaitInput("uname\r");
            rig.qemu.write("Linux\r\n");
            keyboard.awaitReceived("Linux\r\n");
            a.awaitReceived("Linux\r\n");
            b.awaitReceived("Linux\r\n");
            assertThat(rig.console.counters().inputBytes()).as("only the keyboard's bytes").isEqualTo(6);
            assertThat(rig.console.counters().viewers()).isEqualTo(2);
        }
    }

    @Test
    void takingTheKeyboardTellsTheHolderEndsItKeepsViewersAndLetsTheNextClientType() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient holder = new SessionClient(rig.vterm());
                SessionClient viewer = new SessionClient(view(rig))) {
            Await.until("attached", Duration.ofSeconds(5), () -> rig.console.sessionOpen() && rig.console.viewerCount() == 1);
            rig.qemu.write("prompt# ");
            holder.awaitReceived("prompt# ");
            assertThat(rig.console.takeOver("[taken by victor]")).isTrue();
            holder.awaitEnd();
            assertThat(holder.received()).as("what was queued, then why it ends").isEqualTo("prompt# [taken by victor]");
            assertThat(rig.console.sessionOpen()).isFalse();
            try (SessionClient taker = new SessionClient(rig.vterm())) {
                Await.until("the taker attached", Duration.ofSeconds(5), rig.console::sessionOpen);
                taker.send("ls\r");
                rig.qemu.awaitInput("ls\r");
                rig.qemu.write("bin\r\n");
                viewer.awaitReceived("prompt# bin\r\n");
                assertThat(viewer.ended()).isFalse();
            }
            Await.until("the taker left", Duration.ofSeconds(5), () -> !rig.console.sessionOpen());
            assertThat(rig.console.takeOver("nobody holds it")).isFalse();
        }
    }

    @Test
    void rmvtermEndsTheKeyboardAndEveryViewer() throws Exception {
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20); SessionClient holder = new SessionClient(rig.vterm());
                SessionClient viewer = new SessionClient(view(rig))) {
            Await.until("attached", Duration.ofSeconds(5), () -> rig.console.sessionOpen() && rig.console.viewerCount() == 1);
            assertThat(rig.console.closeSession()).isTrue();
            holder.awaitEnd();
            viewer.awaitEnd();
            Await.until("no viewers left", Duration.ofSeconds(5), rig.console::viewerCount, n -> n == 0);
            rig.console.close();
            assertThat(view(rig)).doesNotExist();
        }
    }

    /**
     * Issue 16: two users opening one console in the same instant, as two browsers or a browser and
     * mkvterm do (the daemon hands each a socket in the user's name, then each connects), are each
     * named for their own connection, whichever connects first: the keyboard's holder is the one
     * that attached, and each read-only view ends under its own user's name. Claims matched to
     * connections in arrival order swapped the names in about half the rounds.
     */
    @Test
    void twoUsersOpeningOneConsoleAtOnceAreEachNamedForTheirOwnConnection() throws Exception {
        java.util.List<String> released = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20);
                var two = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            rig.console.onSession(e -> {
                if (e.kind() == SessionEvent.Kind.RELEASED) {
                    released.add((e.keyboard() ? "keyboard " : "view ") + e.who() + " from " + e.origin());
                }
            });
            java.util.Set<String> attachedFirst = new java.util.HashSet<>();
            for (int round = 0; round < 40; round++) {
                int r = round;
                var claimed = new java.util.concurrent.CyclicBarrier(2);
                var alice = two.submit(() -> openAtOnce(rig, true, "alice", claimed));
                var bob = two.submit(() -> openAtOnce(rig, true, "bob", claimed));
                SessionClient a = alice.get();
                SessionClient b = bob.get();
                Await.until("one of the two refused", Duration.ofSeconds(5), () -> a.received().startsWith(
                        VtermServer.ALREADY_OPEN_CODE) || b.received().startsWith(VtermServer.ALREADY_OPEN_CODE));
                boolean aliceHolds = b.received().startsWith(VtermServer.ALREADY_OPEN_CODE);
                String holder = aliceHolds ? "alice" : "bob";
                attachedFirst.add(holder);
                assertThat(rig.console.holderAndOrigin()).as("round %d: the holder is the one attached", round)
                        .contains(holder + ", web");
                (aliceHolds ? a : b).close();
                Await.until("round " + round + ": released", Duration.ofSeconds(5), released::size, n -> n == 3 * r + 1);
                assertThat(released.getLast()).as("round %d", round).isEqualTo("keyboard " + holder + " from web");
                b.close();
                a.close();

                var carol = two.submit(() -> openAtOnce(rig, false, "carol", claimed));
                var dave = two.submit(() -> openAtOnce(rig, false, "dave", claimed));
                SessionClient c = carol.get();
                SessionClient d = dave.get();
                Await.until("round " + round + ": two viewers", Duration.ofSeconds(5), rig.console::viewerCount, n -> n == 2);
                c.close(); // carol leaves first: the view that ends is hers
                Await.until("round " + round + ": carol left", Duration.ofSeconds(5), released::size, n -> n == 3 * r + 2);
                d.close();
                Await.until("round " + round + ": dave left", Duration.ofSeconds(5), released::size, n -> n == 3 * r + 3);
                assertThat(released.subList(released.size() - 2, released.size())).as("round %d", round)
                        .containsExactly("view carol from ssh", "view dave from ssh");
            }
            assertThat(attachedFirst).as("each user attached first in some round").containsExactlyInAnyOrder("alice", "bob");
            // a claim's socket takes its one client and goes; one nobody came for goes with the console
            Path used = rig.console.claim(true, "erin", "web");
            new SessionClient(used).close();
            Await.until("erin's socket gone", Duration.ofSeconds(5), () -> !Files.exists(used));
            Path unused = rig.console.claim(false, "frank", "web");
            assertThat(Files.getPosixFilePermissions(unused)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            rig.console.close();
            assertThat(unused).doesNotExist();
        }
    }

    @Test
    void aClaimsSocketAKilledDaemonLeftIsRemovedWhenTheConsoleStarts() throws Exception {
        Path left = Files.createFile(dir.resolve("vterm.AbCd-_012345.sock"));
        Path other = Files.createFile(dir.resolve("vterm.notaclaim.sock"));
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            assertThat(left).doesNotExist();
            assertThat(other).exists();
            assertThat(view(rig)).exists();
        }
    }

    /** Claims a socket for {@code who}, waits for the other user's claim, then connects within a jiffy of it. */
    private static SessionClient openAtOnce(ConsoleRig rig, boolean keyboard, String who,
            java.util.concurrent.CyclicBarrier claimed) throws Exception {
        Path socket = rig.console.claim(keyboard, who, keyboard ? "web" : "ssh");
        claimed.await(5, java.util.concurrent.TimeUnit.SECONDS);
        java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.ThreadLocalRandom.current().nextLong(300_000));
        return new SessionClient(socket);
    }

    /**
     * Issue 16, the audit trail of who held the keyboard when: each session is named by the claim
     * made when its socket was handed out, and its start and end (released, taken over, forced off
     * by rmvterm, closed with the console) are told with those names.
     */
    @Test
    void eachSessionsStartAndEndIsToldWithTheNameItWasClaimedFor() throws Exception {
        java.util.List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ConsoleRig rig = new ConsoleRig(dir, 1 << 20)) {
            rig.console.onSession(e -> told.add(e.kind() + (e.keyboard() ? " keyboard " : " view ") + e.who()
                    + (e.origin().isEmpty() ? "" : " from " + e.origin()) + (e.by().isEmpty() ? "" : " by " + e.by())));
            SessionClient alice = new SessionClient(rig.console.claim(true, "alice", "web"));
            Await.until("alice attached", Duration.ofSeconds(5), rig.console::sessionOpen);
            assertThat(rig.console.holder()).contains("alice");
            assertThat(rig.console.holderAndOrigin()).as("what a viewer is told").contains("alice, web");
            SessionClient bob = new SessionClient(rig.console.claim(false, "bob", "ssh"));
            Await.until("bob watches", Duration.ofSeconds(5), rig.console::viewerCount, n -> n == 1);
            // carol takes the keyboard: alice is told and ends, carol's claim names the next client
            assertThat(rig.console.takeOver("[taken]", "carol")).isTrue();
            Path carolsSocket = rig.console.claim(true, "carol", "web");
            alice.awaitEnd();
            SessionClient carol = new SessionClient(carolsSocket);
            Await.until("carol attached", Duration.ofSeconds(5), () -> rig.console.holder().equals(
                    java.util.Optional.of("carol")));
            carol.close(); // she leaves: the keyboard is released
            Await.until("carol released it", Duration.ofSeconds(5), () -> !rig.console.sessionOpen());
            // a client nobody claimed for (someone with the socket itself) is unnamed, not the last claimant's
            SessionClient stranger = new SessionClient(rig.vterm());
            Await.until("the stranger attached", Duration.ofSeconds(5), rig.console::sessionOpen);
            assertThat(rig.console.closeSession("dave")).isTrue(); // rmvterm by dave
            stranger.awaitEnd();
            bob.awaitEnd();
            SessionClient erin = new SessionClient(rig.console.claim(false, "erin", "local"));
            Await.until("erin watches", Duration.ofSeconds(5), rig.console::viewerCount, n -> n == 1);
            rig.console.close(); // the partition stopped
            erin.awaitEnd();
            Await.until("every end told", Duration.ofSeconds(5), told::size, n -> n == 10);
            assertThat(told).containsExactlyInAnyOrder(
                    "OPENED keyboard alice from web", "OPENED view bob from ssh",
                    "TAKEN_OVER keyboard alice from web by carol", "OPENED keyboard carol from web",
                    "RELEASED keyboard carol from web", "OPENED keyboard an unnamed client",
                    "FORCED_OFF keyboard an unnamed client by dave", "FORCED_OFF view bob from ssh by dave",
                    "OPENED view erin from local", "CONSOLE_CLOSED view erin from local");
            assertThat(told.indexOf("OPENED keyboard alice from web")).as("a start before its end")
                    .isLessThan(told.indexOf("TAKEN_OVER keyboard alice from web by carol"));
        }
    }
}
