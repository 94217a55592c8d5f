package io.parvirt.home;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The daemon's file-creation mask, {@code 077} (issue 12): everything it makes, and everything its
 * children make (QEMU's monitor, agent, serial and switch sockets, its pid file; the storage
 * server's files), is born owner-only. What another user must reach is opened explicitly
 * ({@code hypervisor.QemuUser}, {@code vios.nbd.PrivateSocket}). Java has no call for it, so
 * libc's {@code umask(2)}; it cannot fail.
 */
public final class Umask {
    private Umask() {
    }

    /** Sets the process's mask to {@code 077}; returns the mask it had. */
    public static int ownerOnly() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle umask = linker.downcallHandle(linker.defaultLookup().find("umask").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            return (int) umask.invokeExact(0077);
        } catch (Throwable e) {
            throw new IllegalStateException("umask(077) could not be called: " + e, e);
        }
    }
}
