package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.capture.LinkType;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.engine.MetricsSnapshot;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.PacketClassifier;
import io.trafficmirror.core.engine.SourceHandle;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.filter.TrafficDirection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code mirror replay --config CONFIG.json --pcap IN.pcap}: sends what an AWS configuration mirrors of a capture,
 * VXLAN-encapsulated, to real UDP targets, then prints a per-session summary and the run's totals.
 * <p>
 * A file can wait, unlike live traffic: the capture is offered through the engine's lossless source handles, so
 * a copy whose target is behind waits for room instead of being dropped, and reading goes at the senders' pace.
 * {@code --pps} paces by absolute time (packet n is due n / pps seconds after the start), so late wake-ups are
 * caught up and the rate over the run is the one asked for.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {"Replay a capture through the engine to real UDP targets, as an AWS configuration says.",
        "The copies leave through UDP sockets, so the operating system writes the outer IP and UDP headers " +
            "(its TTL, DF and UDP checksum); the VXLAN header and inner frames are AWS's."})
final class ReplayCommand implements Callable<Integer>
{
    /** How long one copy may wait for room before it is dropped as queue full: only a stuck sender takes this long. */
    private static final Duration MAX_WAIT = Duration.ofSeconds(5);

    @Option(names = "--config", required = true, paramLabel = "CONFIG.json",
        description = "The AWS JSON configuration, or terraform show -json of a plan or a state; repeatable.")
    private List<Path> config;

    @Option(names = "--pcap", required = true, paramLabel = "IN.pcap", description = "A pcap or pcapng capture.")
    private Path pcap;

    @Option(names = "--target", paramLabel = "TARGET_ID=HOST:PORT[,HOST:PORT...]",
        description = "Where a target's copies go; several endpoints make a flow-hash group. Default: the target " +
            "ENI's PrivateIpAddress from NetworkInterfaces, port 4789.")
    private List<String> targets = new ArrayList<>();

    @Option(names = "--pps", paramLabel = "N", converter = NumberOptions.PacketsPerSecond.class,
        description = "Packets per second to replay at, 0.." + NumberOptions.MAX_PPS +
            "; 0 (default) is as fast as the engine sends.")
    private long pps;

    @Option(names = "--slots-per-target", paramLabel = "N", converter = NumberOptions.Slots.class,
        description = "Copies a target can have queued, 1.." + NumberOptions.MAX_SLOTS + "; default 16384. The " +
            "replay waits for room when they are all in use, so this bounds memory, not what is delivered.")
    private int slotsPerTarget = 16_384;

    @Option(names = "--embedded-quotas", description = "Check against the larger embedded-use quotas.")
    private boolean embeddedQuotas;

    @Option(names = "--transport", paramLabel = "AUTO|JDK|NATIVE", description = "How UDP targets send: AUTO " +
        "(default) batches with Netty's epoll transport when it loads here, else the JDK's; JDK; NATIVE.")
    private DatagramTransport transport = DatagramTransport.AUTO;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        final MirrorConfiguration configuration = Inputs.configuration(spec, config, embeddedQuotas);
        // Before the engine starts, so that a capture that cannot be read ends the run with nothing to close.
        Inputs.requireFile(spec, pcap);
        final PrintWriter err = spec.commandLine().getErr();
        final Map<String, TargetBinding> bindings =
            TargetOptions.bindings(spec.qualifiedName(), err, config, configuration, targets);
        final MirrorEngine.Builder builder = MirrorEngine.builder().configuration(configuration)
            .slotsPerTarget(slotsPerTarget).transport(transport);
        bindings.forEach(builder::bind);
        final MirrorEngine engine = builder.build();
        engine.start();

        final PacketClassifier classifier = PacketClassifier.of(configuration);
        final Map<String, SourceHandle> handles = new LinkedHashMap<>();
        configuration.sources().forEach(s ->
            handles.put(s.networkInterfaceId(), engine.losslessSource(s.networkInterfaceId(), MAX_WAIT)));
        final long start = System.nanoTime();
        long lastProgress = start;
        long packets = 0;
        try (CaptureReader reader = Inputs.capture(spec, pcap))
        {
            while (reader.next())
            {
                if (pps > 0)
                {
                    final long due = start + dueNanos(packets, pps);
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime())
                    {
                        LockSupport.parkNanos(wait);
                    }
                }
                packets++;
                if (reader.linkType() == LinkType.ETHERNET)
                {
                    offer(configuration, classifier, handles, reader.frame());
                }
                final long now = System.nanoTime();
                if (now - lastProgress > TimeUnit.SECONDS.toNanos(1))
                {
                    err.println("replayed " + packets + " packets");
                    err.flush();
                    lastProgress = now;
                }
            }
        }
        catch (final IOException ex)
        {
            engine.close();
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, ex.getMessage());
        }
        final boolean drained = engine.close(Duration.ofSeconds(10));
        final long elapsed = System.nanoTime() - start;
        final MetricsSnapshot metrics = engine.metrics();
        Summary.print(spec.commandLine().getOut(), configuration, metrics);
        Summary.printTotals(spec.commandLine().getOut(), String.valueOf(pcap.getFileName()), packets, metrics, elapsed);
        if (!drained)
        {
            err.println("mirror replay: not every copy was sent before the timeout (see dropped)");
            return MirrorCommand.EXIT_FAILURE;
        }
        return 0;
    }

    /**
     * When packet {@code index} (from 0) is due, in nanoseconds after the first: exact integer arithmetic, so the
     * schedule does not drift over millions of packets.
     */
    static long dueNanos(final long index, final long pps)
    {
        final long second = TimeUnit.SECONDS.toNanos(1);
        return index / pps * second + index % pps * second / pps;
    }

    /**
     * Offers a frame to every configured interface it belongs to, with the direction it has there.
     */
    static void offer(final MirrorConfiguration configuration, final PacketClassifier classifier,
        final Map<String, SourceHandle> handles, final ByteBuffer frame)
    {
        for (final MirrorSource source : configuration.sources())
        {
            final Optional<TrafficDirection> direction =
                classifier.direction(source.networkInterfaceId(), frame, frame.position(), frame.remaining());
            if (direction.isPresent())
            {
                handles.get(source.networkInterfaceId())
                    .offer(frame, frame.position(), frame.remaining(), direction.get());
            }
        }
    }
}
