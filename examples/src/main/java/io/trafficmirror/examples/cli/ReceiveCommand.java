package io.trafficmirror.examples.cli;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.receiver.MirrorReceiver;
import io.trafficmirror.core.receiver.ReceiverCounters;
import io.trafficmirror.core.receiver.StopReason;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.core.transport.NativeTransport;
import io.trafficmirror.filter.Cidr;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code mirror receive --listen HOST:PORT --pcap OUT.pcap}: the target side; writes the inner frames of the VXLAN
 * (or GENEVE) packets it receives to a pcap file, one per VNI, or a pcap stream on standard output; optionally
 * answers a load balancer's health checks beside the receive loop.
 */
@Command(
    name = "receive",
    mixinStandardHelpOptions = true,
    description = "Receive mirrored VXLAN/GENEVE traffic and write the inner frames to pcap files or to a pcap stream "
        + "on standard output.")
final class ReceiveCommand implements Callable<Integer>
{
    /** What {@code --pcap} takes for standard output. */
    static final String STANDARD_OUTPUT = "-";
    /** The port of {@code --health-check HOST} when none is given. */
    static final int DEFAULT_HEALTH_PORT = 8080;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:4789",
        description = "Address to bind (default ${DEFAULT-VALUE}).")
    private String listen;

    @Option(names = "--pcap", paramLabel = "OUT.pcap|-",
        description = "Write every inner frame to exactly this file, created (with its header) at start; or, with -, "
            + "stream pcap to standard output (the header at once, records flushed at most every "
            + MirrorReceiver.FLUSH_INTERVAL_MILLIS + " ms), for mirror receive --pcap - | tshark -i -; every message, "
            + "the final counters too, then goes to standard error, and the reader exiting ends the receiver (exit 0).")
    private Path pcap;

    @Option(names = "--per-vni", paramLabel = "DIR", description = "Write each VNI's frames to DIR/vni-<N>.pcap "
        + "(with --config, DIR/<session>-vni-<N>.pcap).")
    private Path perVni;

    @Option(names = "--config", paramLabel = "CONFIG.json",
        description = "The mirroring configuration (AWS JSON, or terraform show -json of a plan or a state; repeatable, "
            + "the documents are read as one): per-VNI files are named after the session that owns the VNI, and frames "
            + "of VNIs no session owns are dropped and counted (dropped for no session).")
    private List<Path> config;

    @Option(names = "--rotate-seconds", paramLabel = "N", defaultValue = "0", converter = NumberOptions.RotateSeconds.class,
        description = "Start a new file every N seconds (0, the default, never), periods aligned to multiples of N "
            + "seconds since 1970 UTC; the period's start goes into the name, before any --rotate-bytes number: "
            + "OUT-20261202T031500Z.pcap, OUT-20261202T031500Z-000000.pcap, DIR/vni-<N>-20261202T031500Z.pcap. A period "
            + "without traffic has no file; the file of an ended period is closed by the next frame or at the end.")
    private long rotateSeconds;

    @Option(names = "--health-check", paramLabel = "HOST:PORT",
        description = "Answer load balancers' health checks here (port " + DEFAULT_HEALTH_PORT + " when none is given): "
            + "TCP by accepting; HTTP GET of any path with 200 and the counters as one line of JSON, or 503 once the "
            + "receiver has failed, which then keeps answering 503 until stopped (SIGTERM) or --duration is up (exit 1).")
    private String healthCheck;

    @Option(names = "--rotate-bytes", paramLabel = "N", defaultValue = "0", converter = NumberOptions.RotateBytes.class,
        description = "Start a new file before one would pass N bytes (0, the default, never), the files numbered "
            + "before the extension: OUT-000000.pcap, OUT-000001.pcap, ... and DIR/vni-<N>-000000.pcap, ...")
    private long rotateBytes;

    @Option(names = "--max-vni-files", paramLabel = "N", converter = NumberOptions.VniFiles.class,
        description = "With --per-vni, keep at most N files open at once (1.." + MirrorReceiver.MAX_VNI_FILES
            + "; default " + MirrorReceiver.DEFAULT_MAX_VNI_FILES + ", fewer where the open-file limit leaves less "
            + "room); the least recently written is closed and reopened for append when its VNI comes back.")
    private Integer maxVniFiles;

    @Option(names = "--allow", paramLabel = "CIDR", description = "Accept only senders in this block (repeatable).")
    private List<String> allow = new ArrayList<>();

    @Option(names = "--vni", paramLabel = "N", converter = NumberOptions.Vni.class,
        description = "Accept only this VNI, 0.." + NumberOptions.MAX_VNI + " (repeatable).")
    private List<Integer> vnis = new ArrayList<>();

    @Option(names = "--count", paramLabel = "N", converter = NumberOptions.FrameCount.class,
        description = "Stop after N frames, at least 1.")
    private Long count;

    @Option(names = "--duration", paramLabel = "SECONDS", converter = NumberOptions.DurationSeconds.class,
        description = "Stop after this many seconds, 1.." + NumberOptions.MAX_DURATION_SECONDS + " (a year).")
    private Long duration;

    @Option(names = "--rcvbuf", paramLabel = "BYTES", converter = NumberOptions.ReceiveBuffer.class,
        description = "Socket receive buffer to ask for (default ${DEFAULT-VALUE}; 0 for the system's); Linux caps it "
            + "at net.core.rmem_max.")
    private int rcvbuf = MirrorReceiver.DEFAULT_SOCKET_RECEIVE_BUFFER_BYTES;

    @Option(names = "--transport", paramLabel = "auto|jdk|native", defaultValue = "auto",
        description = "How to read the socket: native is Netty's epoll (recvmmsg batches), jdk one datagram per call; "
            + "auto (the default) is jdk, which kept up better when measured.")
    private String transport;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Guarded by this: the final counters were printed, and the exit code they gave. */
    private boolean finished;
    private int exitCode;
    /** Where the final counters go: standard output, or standard error when that carries the pcap stream. */
    private PrintWriter report;

    @Override
    public Integer call() throws Exception
    {
        if ((pcap == null) == (perVni == null))
        {
            Inputs.fail(spec, MirrorCommand.EXIT_USAGE, "give exactly one of --pcap OUT.pcap and --per-vni DIR");
        }
        if (maxVniFiles != null && perVni == null)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_USAGE, "--max-vni-files is for --per-vni DIR");
        }
        final boolean stream = pcap != null && STANDARD_OUTPUT.equals(pcap.toString());
        if (stream && (rotateBytes != 0 || rotateSeconds != 0))
        {
            Inputs.fail(spec, MirrorCommand.EXIT_USAGE, "--rotate-bytes and --rotate-seconds are for files, not --pcap -");
        }
        InetSocketAddress healthAddress = null;
        if (healthCheck != null)
        {
            try
            {
                healthAddress = Endpoints.parse(healthCheck, DEFAULT_HEALTH_PORT);
            }
            catch (final IllegalArgumentException ex)
            {
                Inputs.fail(spec, MirrorCommand.EXIT_USAGE, "--health-check " + ex.getMessage());
            }
        }
        final MirrorConfiguration configuration = config == null ? null : Inputs.configuration(spec, config, false);
        final MirrorReceiver.Builder builder = MirrorReceiver.builder();
        try
        {
            builder.bind(Endpoints.parse(listen, MirrorReceiver.VXLAN_PORT));
            final List<Cidr> blocks = new ArrayList<>();
            for (final String block : allow)
            {
                blocks.add(Cidr.parse(block));
            }
            if (!blocks.isEmpty())
            {
                builder.allowSenders(blocks);
            }
            if (!vnis.isEmpty())
            {
                builder.allowVnis(vnis.stream().mapToInt(Integer::intValue).toArray());
            }
            if (configuration != null)
            {
                builder.sessions(sessionsByVni(configuration));
            }
            if (stream)
            {
                builder.pcapStream(Channels.newChannel(new FileOutputStream(FileDescriptor.out)), "standard output");
            }
            else if (pcap != null)
            {
                builder.pcapFile(pcap, rotateBytes);
            }
            else
            {
                builder.pcapPerVni(perVni, rotateBytes);
                if (maxVniFiles != null)
                {
                    builder.maxVniFiles(maxVniFiles);
                }
            }
            if (count != null)
            {
                builder.maxFrames(count);
            }
            if (duration != null)
            {
                builder.maxDuration(Duration.ofSeconds(duration));
            }
            if (!stream)
            {
                builder.rotateEvery(Duration.ofSeconds(rotateSeconds));
            }
            builder.socketReceiveBuffer(rcvbuf);
            builder.transport(parseTransport(transport));
        }
        catch (final IllegalArgumentException ex)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_USAGE, ex.getMessage());
        }

        final PrintWriter err = spec.commandLine().getErr();
        // With a stream on standard output, it is the pcap's alone: the final counters go to standard error too.
        report = stream ? err : spec.commandLine().getOut();
        final long started = System.nanoTime();
        final MirrorReceiver receiver;
        try
        {
            receiver = builder.open();
        }
        catch (final FileSystemException ex)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, cannotWrite(ex));
            return MirrorCommand.EXIT_FAILURE;
        }
        catch (final IOException ex)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, "cannot listen on " + listen + ": " + ex.getMessage());
            return MirrorCommand.EXIT_FAILURE;
        }
        catch (final IllegalStateException ex)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_USAGE, "--transport " + transport + ": " + ex.getMessage());
            return MirrorCommand.EXIT_USAGE;
        }
        // SIGTERM or Ctrl-C: the loop stops, the writer drains (bounded), and the counters are printed as at an end.
        final Thread stopper = new Thread(() ->
        {
            receiver.stop();
            try
            {
                receiver.awaitStop(MirrorReceiver.CLOSE_TIMEOUT);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finish(receiver);
        }, "mirror-receive-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        HealthEndpoint health = null;
        try (receiver)
        {
            health = healthAddress == null ? null : health(receiver, healthAddress);
            final InetSocketAddress bound = receiver.localAddress();
            err.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort() + ", transport "
                + describe(receiver.transport()) + ", socket receive buffer "
                + receiver.socketReceiveBufferGranted() + " bytes granted of " + receiver.socketReceiveBufferAsked()
                + " asked" + (receiver.socketReceiveBufferWarning().isPresent()
                ? " (capped by net.core.rmem_max; raise it with sysctl -w net.core.rmem_max="
                + receiver.socketReceiveBufferAsked() + ")" : ""));
            if (health != null)
            {
                err.println("health checks on " + health.address().getAddress().getHostAddress() + ":"
                    + health.address().getPort() + " (TCP; HTTP GET of any path)");
            }
            if (configuration != null)
            {
                err.println("sessions: " + configuration.sessions().size() + " from " + Inputs.names(config)
                    + "; frames of other VNIs are dropped");
            }
            if (receiver.maxOpenVniFiles() > 0)
            {
                err.println("per-VNI files: at most " + receiver.maxOpenVniFiles() + " open at once");
            }
            err.flush();
            receiver.start();
            while (!receiver.awaitStop(Duration.ofSeconds(1)))
            {
                final ReceiverCounters counters = receiver.counters();
                err.println("received " + counters.received() + ", accepted " + counters.accepted());
                err.flush();
            }
            final int code = finish(receiver);
            if (health != null && receiver.stopReason().orElse(null) == StopReason.FAILED)
            {
                awaitEndAfterFailure(err, started);
            }
            if (code != 0)
            {
                throw new Inputs.Exit(code);
            }
        }
        finally
        {
            if (health != null)
            {
                health.close();
            }
            try
            {
                Runtime.getRuntime().removeShutdownHook(stopper);
            }
            catch (final IllegalStateException ex)
            {
                // already shutting down
            }
        }
        return 0;
    }

    /**
     * Prints the final counters and, if the receiver failed, why; once, whether the run ended by itself or the
     * shutdown hook got there first (the hook waits here while the main thread prints, and the other way round).
     *
     * @return the exit code.
     */
    private synchronized int finish(final MirrorReceiver receiver)
    {
        if (finished)
        {
            return exitCode;
        }
        finished = true;
        final ReceiverCounters counters = receiver.counters();
        final PrintWriter out = report;
        out.printf("received %d, accepted %d (%d bytes), dropped by sender %d, dropped by VNI %d, malformed %d, "
            + "not Ethernet %d, dropped as the writer fell behind %d, file open failed %d, write failed %d, "
            + "dropped for no session %d%n",
            counters.received(), counters.accepted(), counters.acceptedBytes(), counters.droppedSender(),
            counters.droppedVni(), counters.malformed(), counters.droppedNotEthernet(), counters.droppedWriterBehind(),
            counters.droppedFileOpen(), counters.droppedWriteFailed(), counters.droppedNoSession());
        out.flush();
        exitCode = 0;
        if (receiver.stopReason().orElse(StopReason.STOPPED) == StopReason.OUTPUT_CLOSED)
        {
            // The analyzer reading the stream exited: the end of this receiver's work, not a failure.
            final PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + receiver.failure().map(Throwable::getMessage)
                .orElse("standard output closed") + "; stopped");
            err.flush();
        }
        if (receiver.stopReason().orElse(StopReason.STOPPED) == StopReason.FAILED)
        {
            final Throwable failure = receiver.failure().orElse(null);
            final PrintWriter err = spec.commandLine().getErr();
            err.println(spec.qualifiedName() + ": " + (failure instanceof FileSystemException
                ? cannotWrite((FileSystemException)failure) : failure == null ? "failed" : failure.getMessage()));
            err.flush();
            exitCode = MirrorCommand.EXIT_FAILURE;
        }
        return exitCode;
    }

    /**
     * After a failure, with health checks: keeps answering 503 until the process is stopped (the shutdown hook) or
     * the duration is up, so that the load balancer sees a failed target, not one that vanished.
     */
    private void awaitEndAfterFailure(final PrintWriter err, final long started) throws InterruptedException
    {
        err.println(spec.qualifiedName() + ": health checks answer 503 until stopped"
            + (duration == null ? "" : " or " + duration + " s from the start"));
        err.flush();
        final long end = duration == null ? Long.MAX_VALUE : started + TimeUnit.SECONDS.toNanos(duration);
        while (duration == null || System.nanoTime() - end < 0)
        {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private HealthEndpoint health(final MirrorReceiver receiver, final InetSocketAddress address)
    {
        try
        {
            return HealthEndpoint.start(receiver, address);
        }
        catch (final IOException ex)
        {
            Inputs.fail(spec, MirrorCommand.EXIT_FAILURE, "--health-check " + address.getAddress().getHostAddress() + ":"
                + address.getPort() + ": cannot serve there: " + ex.getMessage());
            return null;
        }
    }

    /** Each session's id by its VNI (every session of a valid configuration has one, given or assigned). */
    private static Map<Integer, String> sessionsByVni(final MirrorConfiguration configuration)
    {
        final Map<Integer, String> sessions = new HashMap<>();
        for (final MirrorSession session : configuration.sessions())
        {
            session.virtualNetworkId().ifPresent(vni -> sessions.put(vni, session.id()));
        }
        return sessions;
    }

    /** "cannot write PATH: no such directory", from the receiver's exception, which names the file and the reason. */
    private static String cannotWrite(final FileSystemException ex)
    {
        return "cannot write " + ex.getFile() + ": " + ex.getReason();
    }

    private static String describe(final DatagramTransport chosen)
    {
        if (chosen == DatagramTransport.NATIVE)
        {
            return "native (Netty epoll, recvmmsg batches)";
        }
        return "jdk (one datagram per call" + (NativeTransport.isAvailable() ? ")"
            : "; native: " + NativeTransport.unavailabilityReason() + ")");
    }

    private DatagramTransport parseTransport(final String text)
    {
        try
        {
            return DatagramTransport.valueOf(text.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--transport " + text + ": expected auto, jdk or native");
        }
    }
}
