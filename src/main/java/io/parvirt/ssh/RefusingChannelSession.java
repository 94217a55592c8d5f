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
    protected RequestHandler.Result handleEnv(Buffer buffer, boolean wantReply) throws IOException {
        String name = buffer.getString();
        LOG.debug("SSH env request for {} refused", name);
        return RequestHandler.Result.ReplyFailure;
    }
}
