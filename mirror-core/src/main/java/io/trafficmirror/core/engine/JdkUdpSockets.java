package io.trafficmirror.core.engine;

import io.trafficmirror.vxlan.FlowHash;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An endpoint's sockets through the JDK's {@link DatagramChannel}: each copy is one {@code write} call, sent
 * before {@link #send} returns.
 */
final class JdkUdpSockets implements UdpSockets
{
    private static final int PORT_TRIES = 32;

    private final String targetId;
    private final InetSocketAddress address;
    private final DatagramChannel[] channels;
    private final int[] ports;
    private final RateLimitedLog log;
    /** The endpoint's counter of ICMP reports. */
    private final int unreachableCounter;

    JdkUdpSockets(
        final String targetId,
        final InetSocketAddress address,
        final int sockets,
        final int unreachableCounter,
        final RateLimitedLog log) throws IOException
    {
        this.targetId = targetId;
        this.address = address;
        this.unreachableCounter = unreachableCounter;
        this.log = log;
        this.channels = new DatagramChannel[sockets];
        this.ports = new int[sockets];
        final StandardProtocolFamily family = address.getAddress() instanceof Inet6Address ?
            StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        try
        {
            for (int i = 0; i < sockets; i++)
            {
                final DatagramChannel channel = DatagramChannel.open(family);
                channels[i] = channel;
                bindToDynamicPort(channel);
                channel.connect(address);
                ports[i] = ((InetSocketAddress)channel.getLocalAddress()).getPort();
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Binds to a random port in the flow-hash range, the ports AWS's VXLAN source ports come from, or to an ephemeral
     * port when those tried are taken.
     */
    private static void bindToDynamicPort(final DatagramChannel channel) throws IOException
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < PORT_TRIES; i++)
        {
            try
            {
                channel.bind(new InetSocketAddress(random.nextInt(FlowHash.MIN_PORT, FlowHash.MAX_PORT + 1)));
                return;
            }
            catch (final BindException ex)
            {
                // taken: try another
            }
        }
        channel.bind(new InetSocketAddress(0));
    }

    @Override
    public int[] ports()
    {
        return ports;
    }

    @Override
    public int send(final int socket, final Slot slot, final int start, final int end, final Sender sender)
    {
        final ByteBuffer view = slot.sendView();
        for (int attempt = 0; ; attempt++)
        {
            view.limit(end).position(start);
            try
            {
                channels[socket].write(view);
                return TargetRuntime.SENT;
            }
            catch (final PortUnreachableException ex)
            {
                // An earlier copy's ICMP report, which refused this send (see UdpSockets): counted, then one retry.
                sender.countEndpointReport(unreachableCounter);
                if (attempt == 0)
                {
                    if (log.allow(targetId))
                    {
                        log.warn(targetId, targetId + ": " + address + " reports port unreachable (ICMP): nothing " +
                            "listens there, and copies sent to it are lost");
                    }
                    continue;
                }
                warn(ex);
                return TargetRuntime.FAILED;
            }
            catch (final IOException ex)
            {
                warn(ex);
                return TargetRuntime.FAILED;
            }
        }
    }

    private void warn(final IOException ex)
    {
        if (log.allow(targetId))
        {
            log.warn(targetId, targetId + ": sending to " + address + " failed: " + ex);
        }
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close()
    {
        for (final DatagramChannel channel : channels)
        {
            if (channel != null)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ex)
                {
                    // closing a UDP socket does not fail in a way worth reporting
                }
            }
        }
    }
}
