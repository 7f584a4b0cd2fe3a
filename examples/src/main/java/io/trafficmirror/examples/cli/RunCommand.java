package io.trafficmirror.examples.cli;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.core.engine.MetricsSnapshot;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.core.live.LiveCapture;
import io.trafficmirror.core.live.LiveCaptureException;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code mirror run --config CONFIG.json --interface ENI_ID=DEVICE...}: Traffic Mirroring of a host's own devices.
 * Each device is captured live (libpcap) for a configured source interface, whose addresses tell inbound from
 * outbound; the copies go, VXLAN-encapsulated, to the sessions' targets until SIGTERM, SIGINT or {@code --duration}
 * ends the run, which then drains and prints the tables of {@code mirror demo}.
 * <p>
 * SIGHUP reads the configuration file again: a valid one replaces the running one through
 * {@link MirrorEngine#update} (each packet is handled under one configuration or the other, never half of each);
 * an invalid one is refused with its problems and the running one stays. The capture filter that keeps the
 * engine's own output out is made at start; copies to a target a reload adds are refused by the engine itself.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {"Mirror this host's devices live, as an AWS configuration says, until SIGTERM, SIGINT or " +
            "--duration; SIGHUP reloads the configuration.",
        "Needs libpcap and the privilege to capture (root, or CAP_NET_RAW and CAP_NET_ADMIN)."})
final class RunCommand implements Callable<Integer>
{
    /** libpcap's own maximum, tcpdump's default: no frame is cut by the capture, however large its offload made it. */
    static final int DEFAULT_SNAPLEN = 262_144;
    static final int MIN_SNAPLEN = 64;
    static final int DEFAULT_METRICS_PORT = 9464;
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);
    /** How long the copies still queued at the end may take to leave; what is left after it is counted as shutdown. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Copies a target can have queued: four times the engine's default, so that live bursts outlast a sender thread
     * the scheduler keeps waiting (a busy host); about 35 MB per target at AWS's largest PacketLength, 8500.
     */
    static final int SLOTS_PER_TARGET = 4096;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    @Option(names = "--config", required = true, paramLabel = "CONFIG.json",
        description = "The AWS JSON configuration, or terraform show -json of a plan or a state; repeatable; " +
            "SIGHUP reads them again.")
    private List<Path> config;

    @Option(names = "--interface", required = true, paramLabel = "ENI_ID=DEVICE",
        description = "Capture DEVICE as the configured source interface ENI_ID (one with sessions); repeatable.")
    private List<String> interfaces = new ArrayList<>();

    @Option(names = "--target", paramLabel = "TARGET_ID=HOST:PORT[,HOST:PORT...]",
        description = "Where a target's copies go; several endpoints make a flow-hash group. Default: the target " +
            "ENI's PrivateIpAddress from NetworkInterfaces, port 4789.")
    private List<String> targets = new ArrayList<>();

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve Prometheus text on GET " +
        MetricsEndpoint.PATH + " at this address (port " + DEFAULT_METRICS_PORT + " when none is given).")
    private String metricsAddress;

    @Option(names = "--duration", paramLabel = "SECONDS", converter = NumberOptions.DurationSeconds.class,
        description = "Stop after this many seconds, 1.." + NumberOptions.MAX_DURATION_SECONDS +
            " (a year); default: until SIGTERM or SIGINT.")
    private Long durationSeconds;

    @Option(names = "--snaplen", paramLabel = "BYTES", converter = NumberOptions.SnapLength.class,
        description = "Bytes captured per frame, " + MIN_SNAPLEN + ".." +
        DEFAULT_SNAPLEN + "; default " + DEFAULT_SNAPLEN + ".")
    private int snapLength = DEFAULT_SNAPLEN;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private final AtomicBoolean reloadRequested = new AtomicBoolean();
    private final AtomicReference<String> stopSignal = new AtomicReference<>();

    @Override
    public Integer call()
    {
        final String name = spec.qualifiedName();
        final PrintWriter err = spec.commandLine().getErr();
        final Map<String, String> devices = devices(name, err);
        final InetSocketAddress metricsEndpoint = metricsEndpoint(name, err);
        final MirrorConfiguration configuration = Inputs.configuration(name, err, config, false);
        requireSessions(name, err, configuration, devices);
        final Map<String, TargetBinding> bindings = TargetOptions.bindings(name, err, config, configuration, targets);

        final MirrorEngine.Builder builder = MirrorEngine.builder().configuration(configuration)
            .slotsPerTarget(SLOTS_PER_TARGET);
        bindings.forEach(builder::bind);
        final MirrorEngine engine = builder.build();
        engine.start();
        final Map<String, LiveCapture> captures = new LinkedHashMap<>();
        MetricsEndpoint metrics = null;
        final List<Runnable> restores = new ArrayList<>();
        final long start = System.nanoTime();
        try
        {
            for (final Map.Entry<String, String> device : devices.entrySet())
            {
                captures.put(device.getKey(), capture(name, err, engine, device.getKey(), device.getValue()));
            }
            metrics = metricsEndpoint == null ? null : metrics(name, err, engine, metricsEndpoint);
            final List<String> handled = installSignals(err, restores);
            err.println(name + ": mirroring " + describe(devices, bindings) +
                (metrics == null ? "" : "; metrics on http://" + hostPort(metrics.address()) + MetricsEndpoint.PATH) +
                (handled.contains("HUP") ? "; SIGHUP reloads " + Inputs.names(config) : "") +
                (handled.contains("TERM") && handled.contains("INT") ?
                    (handled.contains("HUP") ? ", " : "; ") + "SIGTERM or SIGINT stops" : ""));
            err.flush();
            loop(name, err, engine, devices, bindings, start);
        }
        finally
        {
            restores.forEach(Runnable::run);
            captures.values().forEach(LiveCapture::close);
            if (metrics != null)
            {
                metrics.close();
            }
        }
        final boolean drained = engine.close(DRAIN_TIMEOUT);
        final long elapsed = System.nanoTime() - start;
        final MetricsSnapshot snapshot = engine.metrics();
        long captured = 0;
        for (final LiveCapture capture : captures.values())
        {
            captured += capture.capturedFrames();
        }
        final PrintWriter out = spec.commandLine().getOut();
        Summary.print(out, engine.configuration(), snapshot);
        Summary.printTotals(out, "live: " + String.join(",", devices.values()), captured, snapshot, elapsed);
        if (!drained)
        {
            err.println(name + ": copies still queued after " + DRAIN_TIMEOUT.toSeconds() + " s were dropped " +
                "(the shutdown column)");
        }
        err.println(name + ": stopped (" + stopSignal.get() + ")");
        err.flush();
        return 0;
    }

    private void loop(final String name, final PrintWriter err, final MirrorEngine engine,
        final Map<String, String> devices, final Map<String, TargetBinding> bindings, final long start)
    {
        final long deadline = durationSeconds == null ? Long.MAX_VALUE : start + TimeUnit.SECONDS.toNanos(durationSeconds);
        long nextProgress = start + PROGRESS_INTERVAL.toNanos();
        MetricsSnapshot previous = engine.metrics();
        long previousAt = start;
        while (stopSignal.get() == null)
        {
            LockSupport.parkNanos(POLL_NANOS);
            final long now = System.nanoTime();
            if (now - deadline >= 0)
            {
                stopSignal.compareAndSet(null, "--duration " + durationSeconds + " s");
            }
            if (reloadRequested.getAndSet(false))
            {
                reload(name, err, engine, devices, bindings);
            }
            if (now - nextProgress >= 0)
            {
                final MetricsSnapshot current = engine.metrics();
                err.println(progress(name, devices, previous, current, now - start, now - previousAt));
                err.flush();
                previous = current;
                previousAt = now;
                nextProgress += PROGRESS_INTERVAL.toNanos();
            }
        }
    }

    /**
     * One progress line: per interface the frames seen, copies mirrored and copies skipped (AWS's word for those
     * not kept up with) since the start, with the rates since the previous line.
     */
    static String progress(final String name, final Map<String, String> devices, final MetricsSnapshot previous,
        final MetricsSnapshot current, final long elapsedNanos, final long intervalNanos)
    {
        final double seconds = Math.max(intervalNanos, 1) / 1e9;
        final StringJoiner line = new StringJoiner("; ",
            name + ": " + TimeUnit.NANOSECONDS.toSeconds(elapsedNanos) + " s: ", "");
        devices.forEach((eni, device) ->
        {
            final long[] now = counts(current, eni);
            final long[] before = counts(previous, eni);
            line.add(String.format("%s (%s) seen %d (%.0f/s), mirrored %d (%.0f/s), skipped %d (%.0f/s)", eni, device,
                now[0], (now[0] - before[0]) / seconds, now[1], (now[1] - before[1]) / seconds,
                now[2], (now[2] - before[2]) / seconds));
        });
        return line.toString();
    }

    /** Frames offered, copies mirrored and copies skipped of one interface, zeros when it has none yet. */
    private static long[] counts(final MetricsSnapshot snapshot, final String eni)
    {
        final MetricsSnapshot.SourceMetrics source = snapshot.sources().get(eni);
        if (source == null)
        {
            return new long[3];
        }
        final MetricsSnapshot.CloudWatchMetrics cloudWatch = source.cloudWatch();
        return new long[]{source.offeredPackets(),
            cloudWatch.networkPacketsMirrorIn() + cloudWatch.networkPacketsMirrorOut(),
            cloudWatch.networkPacketsSkipMirrorIn() + cloudWatch.networkPacketsSkipMirrorOut()};
    }

    /**
     * Reads the configuration again and swaps it in, or refuses it with its problems and keeps the running one.
     * Targets whose endpoints are unchanged keep their bindings, and with them their queues and sockets.
     */
    private void reload(final String name, final PrintWriter err, final MirrorEngine engine,
        final Map<String, String> devices, final Map<String, TargetBinding> bindings)
    {
        final String refused = name + ": SIGHUP: " + Inputs.names(config) + " refused, still running the previous configuration";
        final MirrorConfiguration next;
        try
        {
            next = AwsJsonConfiguration.defaults().read(config);
        }
        catch (final InvalidConfigurationException ex)
        {
            err.println(refused + "; " + ex.violations().size() + " problem(s):");
            for (final Violation violation : ex.violations())
            {
                err.println("  " + violation.message());
            }
            err.flush();
            return;
        }
        catch (final IOException | UncheckedIOException ex)
        {
            err.println(refused + "; cannot read it: " + ex.getMessage());
            err.flush();
            return;
        }
        final Map<String, TargetBinding> changed = new LinkedHashMap<>();
        try
        {
            requireSessions(name, err, next, devices);
            TargetOptions.bindings(name, err, config, next, targets).forEach((id, binding) ->
            {
                final TargetBinding running = bindings.get(id);
                if (running == null || !running.endpoints().equals(binding.endpoints()))
                {
                    changed.put(id, binding);
                }
            });
            engine.update(next, changed);
        }
        catch (final Inputs.Exit ex)
        {
            err.println(refused);
            err.flush();
            return;
        }
        catch (final RuntimeException ex)
        {
            err.println(refused + "; " + ex.getMessage());
            err.flush();
            return;
        }
        bindings.putAll(changed);
        err.println(name + ": SIGHUP: reloaded " + Inputs.names(config) + ": " + next.sessions().size() + " session(s), " +
            next.targets().size() + " target(s)");
        err.flush();
    }

    /** Installs the handlers this JVM allows and returns their signals' names. */
    private List<String> installSignals(final PrintWriter err, final List<Runnable> restores)
    {
        final List<String> handled = new ArrayList<>();
        for (final String signal : List.of("TERM", "INT", "HUP"))
        {
            final Runnable action = signal.equals("HUP") ? () -> reloadRequested.set(true) :
                () -> stopSignal.compareAndSet(null, "SIG" + signal);
            final Runnable restore = Signals.handle(signal, action);
            if (restore == null)
            {
                err.println(spec.qualifiedName() + ": cannot handle SIG" + signal + " in this JVM: " +
                    (signal.equals("HUP") ? "no reload" : "it ends the run without a summary"));
            }
            else
            {
                restores.add(restore);
                handled.add(signal);
            }
        }
        return handled;
    }

    /** The {@code --interface} values by ENI id, each device known to this host. */
    private Map<String, String> devices(final String name, final PrintWriter err)
    {
        final Map<String, String> devices = new LinkedHashMap<>();
        for (final String option : interfaces)
        {
            final int equals = option.indexOf('=');
            if (equals <= 0 || equals == option.length() - 1)
            {
                Inputs.fail(name, err, MirrorCommand.EXIT_USAGE, "--interface \"" + option + "\": expected ENI_ID=DEVICE");
            }
            final String eni = option.substring(0, equals);
            final String device = option.substring(equals + 1);
            if (devices.containsKey(eni))
            {
                Inputs.fail(name, err, MirrorCommand.EXIT_USAGE, "--interface " + eni + ": given twice (" +
                    devices.get(eni) + " and " + device + "); one device per source interface");
            }
            if (!deviceExists(device))
            {
                Inputs.fail(name, err, MirrorCommand.EXIT_USAGE, "--interface " + option + ": no device named " + device +
                    " on this host" + knownDevices());
            }
            devices.put(eni, device);
        }
        return devices;
    }

    private static boolean deviceExists(final String device)
    {
        try
        {
            return NetworkInterface.getByName(device) != null;
        }
        catch (final SocketException ex)
        {
            return false;
        }
    }

    private static String knownDevices()
    {
        try
        {
            final StringJoiner names = new StringJoiner(", ", " (devices: ", ")");
            for (final NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces()))
            {
                names.add(nif.getName());
            }
            return names.toString();
        }
        catch (final SocketException ex)
        {
            return "";
        }
    }

    /** Every {@code --interface} ENI is a configured source interface with at least one session. */
    private void requireSessions(final String name, final PrintWriter err, final MirrorConfiguration configuration,
        final Map<String, String> devices)
    {
        for (final String eni : devices.keySet())
        {
            if (!configuration.sessionsOf(eni).isEmpty())
            {
                continue;
            }
            final StringJoiner sources = new StringJoiner(", ");
            configuration.sessions().forEach(s -> sources.add(s.networkInterfaceId()));
            Inputs.fail(name, err, MirrorCommand.EXIT_USAGE, "--interface " + eni + ": " +
                (configuration.source(eni).isPresent() ? "no session of " + Inputs.names(config) + " mirrors this interface" :
                    "no such network interface in " + Inputs.names(config)) +
                (sources.length() == 0 ? "" : " (interfaces with sessions: " + sources.toString() + ")"));
        }
    }

    private InetSocketAddress metricsEndpoint(final String name, final PrintWriter err)
    {
        if (metricsAddress == null)
        {
            return null;
        }
        try
        {
            return Endpoints.parse(metricsAddress, DEFAULT_METRICS_PORT);
        }
        catch (final IllegalArgumentException ex)
        {
            Inputs.fail(name, err, MirrorCommand.EXIT_USAGE, "--metrics " + ex.getMessage());
            return null;
        }
    }

    private LiveCapture capture(final String name, final PrintWriter err, final MirrorEngine engine, final String eni,
        final String device)
    {
        try
        {
            return LiveCapture.start(engine, eni, device, snapLength, null);
        }
        catch (final LiveCaptureException ex)
        {
            stopSignal.set("failure");
            engine.close();
            Inputs.fail(name, err, MirrorCommand.EXIT_FAILURE, "--interface " + eni + "=" + device + ": " +
                ex.getMessage());
            return null;
        }
    }

    private static MetricsEndpoint metrics(final String name, final PrintWriter err, final MirrorEngine engine,
        final InetSocketAddress address)
    {
        try
        {
            return MetricsEndpoint.start(engine, address);
        }
        catch (final IOException | UncheckedIOException ex)
        {
            engine.close();
            Inputs.fail(name, err, MirrorCommand.EXIT_FAILURE, "--metrics " + hostPort(address) + ": cannot serve " +
                "there: " + ex.getMessage());
            return null;
        }
    }

    private static String describe(final Map<String, String> devices, final Map<String, TargetBinding> bindings)
    {
        final StringJoiner text = new StringJoiner(", ");
        devices.forEach((eni, device) -> text.add(device + " as " + eni));
        final StringJoiner to = new StringJoiner(", ", " to ", "");
        bindings.forEach((id, binding) ->
        {
            final StringJoiner endpoints = new StringJoiner(",");
            binding.endpoints().forEach(endpoint -> endpoints.add(hostPort(endpoint)));
            to.add(id + "=" + endpoints);
        });
        return text + to.toString();
    }

    private static String hostPort(final InetSocketAddress address)
    {
        final String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
