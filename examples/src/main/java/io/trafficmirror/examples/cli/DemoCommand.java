package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.PacketClassifier;
import io.trafficmirror.core.engine.SourceHandle;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.core.receiver.MirrorReceiver;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.FlowHash;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code mirror demo}: the AWS getting-started scenario end to end on loopback. A receiver stands in for the mirror
 * target; the bundled capture of a web server's traffic is replayed through an engine whose filter rejects SSH and
 * accepts everything else, inbound and outbound; what arrives is written to {@code mirror-demo.pcap} and compared
 * with what the configuration says should arrive.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run the getting-started scenario end to end on loopback and check what arrives.")
final class DemoCommand implements Callable<Integer>
{
    static final String SCENARIO = "/getting-started.json";
    static final String CAPTURE = "/demo/getting-started-traffic.pcap";

    @Option(names = "--output", paramLabel = "FILE", defaultValue = "mirror-demo.pcap",
        description = "Where to write what the receiver gets (default ${DEFAULT-VALUE}).")
    private Path output;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final MirrorConfiguration configuration;
        try (InputStream in = DemoCommand.class.getResourceAsStream(SCENARIO))
        {
            configuration = AwsJsonConfiguration.defaults().read(in);
        }
        final List<byte[]> frames = bundledFrames();
        final MirrorSession session = configuration.sessions().get(0);
        final List<byte[]> expected = expected(configuration, frames);

        final List<byte[]> arrived = new ArrayList<>();
        final MetricsSnapshotHolder metrics = new MetricsSnapshotHolder();
        // The receiver creates the output now, so that a place it cannot be written is said before any traffic.
        final MirrorReceiver opened;
        try
        {
            opened = MirrorReceiver.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .pcapFile(output, 0)
                .open();
        }
        catch (final FileSystemException ex)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, "cannot write " + ex.getFile() + ": " + ex.getReason());
            return MirrorCommand.EXIT_FAILURE;
        }
        out.println("Getting started: filter " + session.filterId() + " rejects SSH and accepts all other traffic;");
        out.println("session " + session.id() + " (number " + session.sessionNumber() + ", VNI " +
            session.virtualNetworkId().getAsInt() + ") mirrors " + session.networkInterfaceId() + " to " +
            session.targetId() + ", here a receiver on loopback.");
        try (MirrorReceiver receiver = opened)
        {
            receiver.start();
            final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
                .bind(session.targetId(), TargetBinding.udp(receiver.localAddress())).build();
            engine.start();
            replay(configuration, engine, frames);
            engine.close(Duration.ofSeconds(10));
            metrics.snapshot = engine;
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (receiver.counters().accepted() < expected.size() && receiver.stopReason().isEmpty()
                && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            receiver.stop();
            receiver.awaitStop(Duration.ofSeconds(5));
            final Optional<Throwable> failure = receiver.failure();
            if (failure.isPresent())
            {
                out.flush();
                Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, failure.get() instanceof FileSystemException
                    ? "cannot write " + ((FileSystemException)failure.get()).getFile() + ": "
                    + ((FileSystemException)failure.get()).getReason() : String.valueOf(failure.get().getMessage()));
            }
        }
        try (CaptureReader reader = CaptureReader.open(output))
        {
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                final byte[] copy = new byte[frame.remaining()];
                frame.get(copy);
                arrived.add(copy);
            }
        }

        Summary.print(out, configuration, metrics.snapshot.metrics());
        out.println();
        if (sameFrames(expected, arrived))
        {
            out.println("demo: all " + expected.size() + " expected frames of " + frames.size() +
                " arrived intact, each flow in order, in " + output + "; SSH and the traffic AWS never mirrors stayed out.");
            out.println("Look at them with: tshark -r " + output);
            out.flush();
            return 0;
        }
        out.flush();
        Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, "expected " + expected.size() + " frames in " + output +
            " but " + arrived.size() + " arrived" + (arrived.size() == expected.size() ? " with different bytes" : ""));
        return MirrorCommand.EXIT_FAILURE;
    }

    /** Holds the closed engine so its final counters can be printed after the receiver is closed. */
    private static final class MetricsSnapshotHolder
    {
        MirrorEngine snapshot;
    }

    /**
     * The same frames, each flow's in the same order: a flow is what picks a copy's socket (its flow-hash port), and
     * a batched sender may interleave different flows otherwise than they were offered.
     */
    private static boolean sameFrames(final List<byte[]> expected, final List<byte[]> arrived)
    {
        return expected.size() == arrived.size() && byFlow(expected).equals(byFlow(arrived));
    }

    private static Map<Integer, List<String>> byFlow(final List<byte[]> frames)
    {
        final Map<Integer, List<String>> flows = new HashMap<>();
        for (final byte[] frame : frames)
        {
            flows.computeIfAbsent(FlowHash.sourcePort(frame, 0, frame.length), port -> new ArrayList<>())
                .add(Arrays.toString(frame));
        }
        return flows;
    }

    private static void replay(final MirrorConfiguration configuration, final MirrorEngine engine,
        final List<byte[]> frames)
    {
        final PacketClassifier classifier = PacketClassifier.of(configuration);
        final Map<String, SourceHandle> handles = new LinkedHashMap<>();
        configuration.sources().forEach(s -> handles.put(s.networkInterfaceId(), engine.source(s.networkInterfaceId())));
        for (final byte[] frame : frames)
        {
            ReplayCommand.offer(configuration, classifier, handles, ByteBuffer.wrap(frame));
        }
    }

    /**
     * What should arrive: each mirrored frame, cut to its session's packet length, in capture order.
     */
    private static List<byte[]> expected(final MirrorConfiguration configuration, final List<byte[]> frames)
    {
        final PacketClassifier classifier = PacketClassifier.of(configuration);
        final List<byte[]> expected = new ArrayList<>();
        for (final byte[] frame : frames)
        {
            for (final MirrorSource source : configuration.sources())
            {
                final ByteBuffer buffer = ByteBuffer.wrap(frame);
                final Optional<TrafficDirection> direction =
                    classifier.direction(source.networkInterfaceId(), buffer, 0, frame.length);
                if (direction.isPresent())
                {
                    final PacketClassifier.Decision decision =
                        classifier.classify(source.networkInterfaceId(), buffer, 0, frame.length, direction.get());
                    if (decision.mirrored())
                    {
                        expected.add(Arrays.copyOf(frame, decision.mirroredBytes()));
                    }
                }
            }
        }
        return expected;
    }

    static List<byte[]> bundledFrames() throws IOException
    {
        final List<byte[]> frames = new ArrayList<>();
        try (InputStream in = DemoCommand.class.getResourceAsStream(CAPTURE);
            CaptureReader reader = CaptureReader.open(Channels.newChannel(in), "bundled " + CAPTURE))
        {
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                final byte[] copy = new byte[frame.remaining()];
                frame.get(copy);
                frames.add(copy);
            }
        }
        return frames;
    }
}
