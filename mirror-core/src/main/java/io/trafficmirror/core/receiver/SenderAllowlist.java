package io.trafficmirror.core.receiver;

import io.trafficmirror.filter.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The CIDR blocks datagrams may come from; empty allows every sender. The decision for the last sender is kept:
 * the JDK hands back the same {@link InetSocketAddress} object while datagrams keep coming from one sender, so
 * the steady state costs one reference comparison and allocates nothing. Single-threaded.
 */
final class SenderAllowlist
{
    private final Cidr[] blocks;
    private InetSocketAddress lastSender;
    private boolean lastAllowed;

    SenderAllowlist(final List<Cidr> blocks)
    {
        this.blocks = blocks.toArray(new Cidr[0]);
    }

    boolean allows(final InetSocketAddress sender)
    {
        if (blocks.length == 0)
        {
            return true;
        }
        if (sender == lastSender)
        {
            return lastAllowed;
        }
        final InetAddress address = sender.getAddress();
        boolean allowed = false;
        for (final Cidr block : blocks)
        {
            if (block.contains(address))
            {
                allowed = true;
                break;
            }
        }
        lastSender = sender;
        lastAllowed = allowed;
        return allowed;
    }
}
