package io.trafficmirror.examples.cli;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.TargetType;
import io.trafficmirror.core.engine.TargetBinding;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the copies of {@code mirror replay} and {@code mirror run} go: each {@code --target
 * TARGET_ID=HOST:PORT[,HOST:PORT...]} binds a target to its endpoints (several make a flow-hash group), and a
 * target without one sends to its network interface's PrivateIpAddress, port 4789, as AWS does.
 */
final class TargetOptions
{
    static final int VXLAN_PORT = 4789;

    private TargetOptions()
    {
    }

    /**
     * @param command the command's name, for messages.
     * @param err     where a bad target is reported, in one line.
     * @param config  the configuration's files, for messages.
     * @param options the {@code --target} values.
     * @return a binding for every target a session uses, by target id.
     * @throws Inputs.Exit with {@link MirrorCommand#EXIT_USAGE} after printing what is wrong.
     */
    static Map<String, TargetBinding> bindings(final String command, final PrintWriter err, final List<Path> config,
        final MirrorConfiguration configuration, final List<String> options)
    {
        final Map<String, TargetBinding> bindings = new LinkedHashMap<>();
        for (final String option : options)
        {
            final int equals = option.indexOf('=');
            if (equals <= 0)
            {
                Inputs.fail(command, err, MirrorCommand.EXIT_USAGE,
                    "--target \"" + option + "\": expected TARGET_ID=HOST:PORT[,HOST:PORT...]");
            }
            final String id = option.substring(0, equals);
            if (configuration.target(id).isEmpty())
            {
                Inputs.fail(command, err, MirrorCommand.EXIT_USAGE, "--target " + id + ": no such target in " +
                    Inputs.names(config));
            }
            try
            {
                bindings.put(id, TargetBinding.loadBalanced(Endpoints.parseList(option.substring(equals + 1), VXLAN_PORT)));
            }
            catch (final IllegalArgumentException ex)
            {
                Inputs.fail(command, err, MirrorCommand.EXIT_USAGE, "--target " + id + ": " + ex.getMessage());
            }
        }
        for (final MirrorSession session : configuration.sessions())
        {
            final MirrorTarget target = configuration.target(session.targetId()).orElseThrow();
            if (bindings.containsKey(target.id()))
            {
                continue;
            }
            final Optional<InetAddress> address = target.type() == TargetType.NETWORK_INTERFACE ?
                configuration.source(target.resourceId()).flatMap(MirrorSource::privateIpAddress) : Optional.empty();
            if (address.isEmpty())
            {
                Inputs.fail(command, err, MirrorCommand.EXIT_USAGE, "target " + target.id() + " (" + target.type() +
                    " " + target.resourceId() + ") has no known address: give --target " + target.id() + "=HOST:PORT");
            }
            bindings.put(target.id(), TargetBinding.udp(new InetSocketAddress(address.get(), VXLAN_PORT)));
        }
        return bindings;
    }
}
