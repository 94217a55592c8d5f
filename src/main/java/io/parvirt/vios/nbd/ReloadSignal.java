package io.parvirt.vios.nbd;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP as "re-read the exports file", through {@code sun.misc.Signal} (module jdk.unsupported,
 * readable from the class path). The handler runs on a thread the JVM starts for each signal.
 */
final class ReloadSignal {
    private static final int SIGHUP = 1;

    private ReloadSignal() {
    }

    /**
     * Runs {@code action} on every SIGHUP from now on.
     *
     * @throws IllegalStateException when the handler cannot be installed
     */
    static void onHangup(Runnable action) {
        Signal hup = new Signal("HUP");
        SignalHandler handler = s -> action.run();
        if (Signal.handle(hup, handler) == SignalHandler.SIG_IGN) {
            // A process started with SIGHUP ignored (nohup, or a parent that ignores it: the mask is
            // inherited across exec) gets no handler from the JVM, silently. Restore the default
            // disposition and install again, or reloads would never happen.
            restoreDefault();
            if (Signal.handle(hup, handler) == SignalHandler.SIG_IGN) {
                throw new IllegalStateException("SIGHUP is ignored and could not be restored");
            }
        }
    }

    private static void restoreDefault() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle signal = linker.downcallHandle(linker.defaultLookup().find("signal").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment sigDfl = MemorySegment.NULL;
            MemorySegment previous = (MemorySegment) signal.invokeExact(SIGHUP, sigDfl);
            if (previous.address() == -1L) { // SIG_ERR
                throw new IllegalStateException("signal(SIGHUP, SIG_DFL) failed");
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("SIGHUP is ignored and could not be restored: " + e, e);
        }
    }
}
