package io.parvirt.partition.backup;

import io.parvirt.model.ModelException;
import io.parvirt.remote.PeerClient;
import io.parvirt.remote.RemoteException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code rstlpar -m OTHER -f FILE} on a console that holds {@code FILE} in its own backups directory
 * and reaches {@code OTHER} ({@code mksysconn}): the archive is checked whole here (a damaged one is
 * refused before a byte leaves), then streamed to {@code OTHER}'s daemon in one request
 * ({@code POST /api/v1/backups/FILE/receive}, {@link PartitionBackups#receive}), which checks it
 * again and restores it as its own rules say; nothing is held whole in memory on either side. The
 * partition's name (the one given, else the archive's) goes with the request, so a name in use there
 * is refused before the archive is sent. While it runs, this console lists the job in its phases
 * {@code verifying} and {@code sending}, and {@code rmlparjob} cancels it.
 */
public final class RemoteRestore {
    private final PartitionBackups backups;

    RemoteRestore(PartitionBackups backups) {
        this.backups = backups;
    }

    /** Whether archive {@code name} is in this console's backups directory (else the target's own is meant). */
    public boolean holds(String name) {
        try {
            return Files.isRegularFile(backups.file(name));
        } catch (ModelException e) {
            return false;
        }
    }

    /**
     * Restores archive {@code name} on {@code peer}'s system under {@code newName} (null: the
     * archive's) and {@code newId} (null: its lowest free). A refusal there comes back as a
     * {@link RemoteException} of kind {@code REFUSED} carrying that daemon's code and sentence as it gave them.
     */
    public void restoreOn(PeerClient peer, String name, String newName, Integer newId) throws RemoteException {
        Path file = backups.file(name);
        LparJobs.Job job = backups.jobs().start(LparJobs.Kind.RESTORE, newName == null ? "" : newName, name);
        try {
            BackupManifest m = BackupArchive.verify(file, job);
            long size = Files.size(file);
            job.phase("sending", size);
            String query = "?name=" + enc(newName == null ? m.partition().name() : newName)
                    + (newId == null ? "" : "&id=" + newId);
            PeerClient.Reply r = peer.sendStream("POST", "/api/v1/backups/" + enc(name) + "/receive" + query,
                    () -> open(file, job), size, peer.timeouts().command());
            job.check();
            if (r.status() / 100 != 2) {
                throw refused(peer, r);
            }
        } catch (IOException e) {
            throw ModelException.of(ModelException.Kind.INVALID_VALUE, "The backup file " + name + " could not be "
                    + "read: " + e.getMessage() + ". Nothing was sent.");
        } catch (RemoteException e) {
            job.check(); // a cancel here ends the upload with an I/O error: it is reported as the cancel
            throw e;
        } catch (LparJobs.Cancelled e) {
            throw ModelException.of(ModelException.Kind.INCOMPLETE, "The restore of " + name + " on "
                    + peer.peer().name() + " (job " + job.id() + ") was cancelled; nothing was created there.");
        } finally {
            backups.jobs().end(job);
        }
    }

    /** The archive as the request reads it, counted into the job and stopped by a cancel. */
    private static InputStream open(Path file, LparJobs.Job job) {
        try {
            return new FilterInputStream(Files.newInputStream(file)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (job.cancelled()) {
                        throw new IOException("cancelled");
                    }
                    int n = super.read(b, off, len);
                    job.advance(Math.max(n, 0));
                    return n;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The peer's {@code {"code", "message"}} refusal, kept as it gave it. */
    private static RemoteException refused(PeerClient peer, PeerClient.Reply r) {
        PeerClient.ApiError e = PeerClient.apiError(r);
        return new RemoteException(RemoteException.Kind.REFUSED, e.code() == null && e.message().startsWith("HTTP ")
                ? "The system at " + peer.peer().address() + " answered " + e.message() + "." : e.message(), r.status(),
                e.code(), null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
