package io.parvirt.ssh;

import java.io.IOException;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session channel that refuses {@code env} requests: a client must not set the restricted
 * shell's variables ({@code BASH_ENV}, {@code PATH}, ...). The shell has its own fixed
 * environment; {@code LANG=C} belongs on the command line, where tools put it.
 *
 * <p>It also sends the exit status before the end of output: MINA sends EOF first, and once the
 * client's EOF has come too (OpenSSH sends it at once for {@code ssh -n}) the channel may close
 * before the status leaves, which an OpenSSH multiplexing client reports as exit 255.
 */
final class RefusingChannelSession extends ChannelSession {
    private static final Logger LOG = LoggerFactory.getLogger(RefusingChannelSession.class);

    static final ChannelFactory FACTORY = new ChannelFactory() {
        @Override
        public String getName() {
            return "session";
        }

        @Override
        public Channel createChannel(Session session) {
            return new RefusingChannelSession();
        }
    };

    @Override
    protected void closeShell(int exitValue, boolean immediate) throws IOException {
        if (!isClosing()) {
            sendExitStatus(exitValue); // sent once: the call in super.closeShell is then a no-op
        }
        super.closeShell(exitValue, immediate);
    }

    @Override
    protected RequestHandler.Result handleEnv(Buffer buffer, boolean wantReply) throws IOException {
        String name = buffer.getString();
        LOG.debug("SSH env request for {} refused", name);
        return RequestHandler.Result.ReplyFailure;
    }
}
