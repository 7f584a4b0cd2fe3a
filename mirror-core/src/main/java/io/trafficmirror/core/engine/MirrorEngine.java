package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.Violations;
import io.trafficmirror.filter.match.CompiledFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The session engine: mirrors the packets an application hands to its {@link SourceHandle}s, as a validated
 * {@link MirrorConfiguration} says, to the targets its {@link TargetBinding}s name.
 * <p>
 * The caller's thread does the classifying: it parses the frame's headers, asks the compiled filters of the
 * source's sessions in ascending session number, and when one accepts, copies the bytes to mirror (packet length
 * and the target's MTU) into a pre-allocated slot and queues it on the target's bounded lock-free queue. It never
 * waits: a full queue drops the copy and counts it, because mirrored traffic has lower priority than the
 * application's own. Sender threads drain the queues in batches and send each copy as VXLAN.
 * <p>
 * Lifecycle: {@link #start()} starts the senders; {@link #update} swaps in a new configuration atomically while
 * packets flow (each packet is judged wholly by the old or wholly by the new one, and copies already queued keep
 * their session's VNI and target); {@link #close(Duration)} stops accepting, drains the queues for at most the
 * given time and releases sockets. Metrics: {@link #metrics()}.
 * <p>
 * Accounting, exact once {@link #close} has returned and every offer has returned: per source, offered = not
 * mirrored + the sum of its sessions' accepted; per session and per target, accepted = mirrored + dropped
 * (queue full, send error, shutdown).
 */
public final class MirrorEngine implements AutoCloseable
{
    /** How long {@link #close()} waits for queues to drain. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final CounterRegistry registry = new CounterRegistry();
    private final ThreadLocal<ProducerContext> contexts;
    private final RateLimitedLog log = new RateLimitedLog(TimeUnit.SECONDS.toNanos(10));
    private final int slotsPerTarget;
    private final int socketsPerEndpoint;
    private final boolean awsExclusions;
    private final Sender[] senders;
    private final Thread[] senderThreads;
    private final Object control = new Object();

    // Guarded by control.
    private final Map<String, Integer> sourceIndexes = new LinkedHashMap<>();
    private final Map<String, TargetRuntime> runtimes = new HashMap<>();
    private final Map<String, int[]> sessionBlocks = new LinkedHashMap<>();
    private final Map<String, Integer> targetBlocks = new LinkedHashMap<>();
    private final Map<String, RuleKey> ruleBlocks = new LinkedHashMap<>();
    private Map<String, TargetBinding> bindings;
    private int nextSender;
    private boolean started;

    /** The state producers read; replaced whole, never changed. */
    private volatile EngineState state;

    private MirrorEngine(final Builder builder)
    {
        this.slotsPerTarget = builder.slotsPerTarget;
        this.socketsPerEndpoint = builder.socketsPerEndpoint;
        this.awsExclusions = builder.awsExclusions;
        this.contexts = ThreadLocal.withInitial(() -> new ProducerContext(registry.forThisThread(registry.size())));
        this.senders = new Sender[builder.senderThreads];
        this.senderThreads = new Thread[builder.senderThreads];
        for (int i = 0; i < senders.length; i++)
        {
            senders[i] = new Sender(registry, log);
            senderThreads[i] = new Thread(senders[i], "trafficmirror-sender-" + i);
            senderThreads[i].setDaemon(true);
        }
        synchronized (control)
        {
            this.bindings = Map.copyOf(builder.bindings);
            this.state = compile(builder.configuration, false);
        }
    }

    /**
     * @return a builder; a configuration and a binding for every target a session uses are required.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Starts the sender threads. Packets offered before this are queued (and dropped when queues fill).
     */
    public void start()
    {
        synchronized (control)
        {
            if (started)
            {
                throw new IllegalStateException("already started");
            }
            started = true;
            for (final Thread thread : senderThreads)
            {
                thread.start();
            }
        }
    }

    /**
     * The handle through which an application offers one source interface's packets. A handle for an interface
     * that the configuration lacks (or that an update removes) counts what it is offered as not mirrored.
     *
     * @param networkInterfaceId the source interface.
     * @return its handle.
     */
    public SourceHandle source(final String networkInterfaceId)
    {
        Objects.requireNonNull(networkInterfaceId, "networkInterfaceId");
        synchronized (control)
        {
            Integer index = sourceIndexes.get(networkInterfaceId);
            if (index == null)
            {
                state = compile(state.configuration, state.closed, networkInterfaceId);
                index = sourceIndexes.get(networkInterfaceId);
            }
            return new SourceHandle(this, networkInterfaceId, index);
        }
    }

    /**
     * Replaces the configuration, keeping the target bindings.
     *
     * @param configuration the new configuration.
     * @throws InvalidConfigurationException when a session's target has no binding.
     */
    public void update(final MirrorConfiguration configuration)
    {
        update(configuration, Map.of());
    }

    /**
     * Replaces the configuration and adds or replaces target bindings, atomically for the packet path. Targets
     * whose binding and MTU are unchanged keep their queues; others get new ones, and the old ones are drained
     * and closed.
     *
     * @param configuration the new configuration.
     * @param newBindings   bindings to add or replace, by target id.
     * @throws InvalidConfigurationException when a session's target has no binding.
     * @throws UncheckedIOException          when a socket for a new UDP target cannot be opened.
     */
    public void update(final MirrorConfiguration configuration, final Map<String, TargetBinding> newBindings)
    {
        synchronized (control)
        {
            if (state.closed)
            {
                throw new IllegalStateException("closed");
            }
            final Map<String, TargetBinding> merged = new HashMap<>(bindings);
            merged.putAll(newBindings);
            final Map<String, TargetBinding> previous = bindings;
            bindings = Map.copyOf(merged);
            try
            {
                state = compile(configuration, false);
            }
            catch (final RuntimeException ex)
            {
                bindings = previous;
                throw ex;
            }
        }
    }

    /**
     * @return the configuration in force.
     */
    public MirrorConfiguration configuration()
    {
        return state.configuration;
    }

    /**
     * Marks an endpoint of a UDP target down (its flows move to the others) or up again.
     *
     * @param targetId the target.
     * @param endpoint one of its endpoints.
     * @param up       false to mark it down.
     */
    public void markEndpoint(final String targetId, final InetSocketAddress endpoint, final boolean up)
    {
        synchronized (control)
        {
            final TargetRuntime runtime = runtimes.get(targetId);
            if (runtime == null)
            {
                throw new IllegalArgumentException("no target " + targetId + " is in use");
            }
            runtime.markEndpoint(endpoint, up);
        }
    }

    /**
     * The local UDP ports the engine sends from, for a capture that must leave out the engine's own output.
     *
     * @return the ports of every socket of every UDP target in use.
     */
    public List<Integer> localPorts()
    {
        synchronized (control)
        {
            final List<Integer> ports = new ArrayList<>();
            for (final TargetRuntime runtime : runtimes.values())
            {
                if (runtime instanceof UdpTarget)
                {
                    for (final int port : ((UdpTarget)runtime).localPorts())
                    {
                        ports.add(port);
                    }
                }
            }
            return ports;
        }
    }

    /**
     * The UDP endpoints of the targets in use, for a capture that must leave out the engine's own output.
     *
     * @return every endpoint of every UDP target in use.
     */
    public List<InetSocketAddress> targetEndpoints()
    {
        synchronized (control)
        {
            final List<InetSocketAddress> endpoints = new ArrayList<>();
            for (final TargetRuntime runtime : runtimes.values())
            {
                if (runtime instanceof UdpTarget)
                {
                    endpoints.addAll(((UdpTarget)runtime).endpointAddresses());
                }
            }
            return endpoints;
        }
    }

    /**
     * An immutable snapshot of every counter; cheap enough to take every second.
     *
     * @return the snapshot.
     */
    public MetricsSnapshot metrics()
    {
        synchronized (control)
        {
            return MetricsSnapshot.take(registry, sourceIndexes.keySet(), sessionBlocks, targetBlocks, ruleBlocks,
                this::sourceBlock);
        }
    }

    /**
     * Closes with {@link #DEFAULT_CLOSE_TIMEOUT}.
     */
    @Override
    public void close()
    {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops accepting packets (later offers are counted as not mirrored), lets the senders drain what is queued for
     * at most {@code timeout}, then stops them, counts whatever is still queued as dropped at shutdown and closes
     * the sockets. Returns within the timeout plus a short grace even when a target is dead.
     *
     * @param timeout how long to wait for the queues to drain.
     * @return true when everything queued was sent.
     */
    public boolean close(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (control)
        {
            if (state.closed)
            {
                return true;
            }
            state = state.closedCopy();
        }
        boolean drained = true;
        for (final Sender sender : senders)
        {
            sender.drainAndStop();
        }
        if (started)
        {
            for (final Thread thread : senderThreads)
            {
                drained &= join(thread, deadline);
            }
            if (!drained)
            {
                for (final Sender sender : senders)
                {
                    sender.abort();
                }
                for (final Thread thread : senderThreads)
                {
                    thread.interrupt();
                    join(thread, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                }
            }
        }
        synchronized (control)
        {
            final ThreadCounters counters = registry.forThisThread(registry.size());
            for (int i = 0; i < senders.length; i++)
            {
                // A sender stuck in a consumer that ignores interrupts still owns its queues: leave them alone.
                final boolean senderGone = !senderThreads[i].isAlive();
                drained &= senderGone;
                for (final TargetRuntime target : senders[i].targets())
                {
                    if (senderGone)
                    {
                        drained &= dropLeftovers(target, counters);
                    }
                    target.close();
                }
            }
        }
        return drained;
    }

    int offer(
        final int sourceIndex,
        final ByteBuffer frame,
        final int offset,
        final int length,
        final TrafficDirection direction)
    {
        final EngineState current = state;
        final ProducerContext context = contexts.get();
        context.counters.ensureCapacity(current.counterSize);
        final SourcePlan source = current.sources[sourceIndex];
        if (offset < 0 || length <= 0 || (long)offset + length > frame.limit())
        {
            // A frame outside its buffer cannot be read: count it like an unreadable one.
            return source.offer(current, context, EMPTY, 0, 0, direction);
        }
        return source.offer(current, context, frame, offset, length, direction);
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private static boolean dropLeftovers(final TargetRuntime target, final ThreadCounters counters)
    {
        boolean none = true;
        Slot slot;
        while ((slot = target.work.poll()) != null)
        {
            none = false;
            counters.add(slot.sessionCopyBlock + Counter.COPY_DROPPED_SHUTDOWN, 1);
            counters.add(target.copyBlock + Counter.COPY_DROPPED_SHUTDOWN, 1);
            target.free.offer(slot);
        }
        return none;
    }

    private static boolean join(final Thread thread, final long deadlineNanos)
    {
        try
        {
            final long remaining = deadlineNanos - System.nanoTime();
            if (remaining > 0)
            {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private int sourceBlock(final String networkInterfaceId)
    {
        return registry.existingBlock("source/" + networkInterfaceId);
    }

    private EngineState compile(final MirrorConfiguration configuration, final boolean closed, final String... extraSources)
    {
        Objects.requireNonNull(configuration, "configuration");
        final Violations violations = new Violations();
        for (final MirrorSession session : configuration.sessions())
        {
            if (!bindings.containsKey(session.targetId()))
            {
                violations.add(session.targetId(), "binding", null,
                    "a TargetBinding for every target a session uses (" + session.id() + " uses it)");
            }
        }
        violations.throwIfAny();

        for (final MirrorSource source : configuration.sources())
        {
            sourceIndexes.computeIfAbsent(source.networkInterfaceId(), id -> sourceIndexes.size());
        }
        for (final String extra : extraSources)
        {
            sourceIndexes.computeIfAbsent(extra, id -> sourceIndexes.size());
        }

        final Map<String, TargetRuntime> nextRuntimes = targetRuntimes(configuration);
        final Map<List<Object>, CompiledFilter> compiled = new HashMap<>();
        final SourcePlan[] plans = new SourcePlan[sourceIndexes.size()];
        for (final Map.Entry<String, Integer> entry : sourceIndexes.entrySet())
        {
            final String id = entry.getKey();
            final int block = registry.block("source/" + id, Counter.SOURCE_WIDTH);
            final MirrorSource source = configuration.source(id).orElse(null);
            plans[entry.getValue()] = source == null ?
                new SourcePlan(id, block, new int[0], new long[0], SourcePlan.NO_MAC, new SessionPlan[0]) :
                sourcePlan(configuration, source, block, nextRuntimes, compiled);
        }

        // Retire the runtimes the new configuration no longer uses; their senders drain and close them.
        final long now = System.nanoTime();
        for (final Map.Entry<String, TargetRuntime> entry : runtimes.entrySet())
        {
            if (nextRuntimes.get(entry.getKey()) != entry.getValue())
            {
                entry.getValue().retiredAtNanos = now;
            }
        }
        runtimes.clear();
        runtimes.putAll(nextRuntimes);
        return ownOutput(configuration, plans, closed);
    }

    private Map<String, TargetRuntime> targetRuntimes(final MirrorConfiguration configuration)
    {
        final Map<String, TargetRuntime> next = new HashMap<>();
        for (final MirrorSession session : configuration.sessions())
        {
            final MirrorTarget target = configuration.target(session.targetId()).orElseThrow();
            if (next.containsKey(target.id()))
            {
                continue;
            }
            final TargetBinding binding = bindings.get(target.id());
            final TargetRuntime existing = runtimes.get(target.id());
            if (existing != null && existing.matches(binding, target.mtu()))
            {
                next.put(target.id(), existing);
                continue;
            }
            final int block = registry.block("target/" + target.id(), Counter.COPY_WIDTH);
            targetBlocks.put(target.id(), block);
            final TargetRuntime runtime;
            try
            {
                switch (binding.kind())
                {
                    case UDP:
                        runtime = new UdpTarget(
                            target.id(), binding, target.mtu(), slotsPerTarget, block, socketsPerEndpoint, log);
                        break;
                    case PCAP:
                        runtime = new PcapTarget(target.id(), binding, target.mtu(), slotsPerTarget, block, log);
                        break;
                    default:
                        runtime = new ConsumerTarget(target.id(), binding, target.mtu(), slotsPerTarget, block);
                        break;
                }
            }
            catch (final IOException ex)
            {
                next.values().stream().filter(r -> !runtimes.containsValue(r)).forEach(TargetRuntime::close);
                throw new UncheckedIOException("cannot open sockets for target " + target.id(), ex);
            }
            next.put(target.id(), runtime);
            senders[nextSender++ % senders.length].add(runtime);
        }
        return next;
    }

    private SourcePlan sourcePlan(
        final MirrorConfiguration configuration,
        final MirrorSource source,
        final int block,
        final Map<String, TargetRuntime> targets,
        final Map<List<Object>, CompiledFilter> compiled)
    {
        final SourcePlan plan =
            SourcePlan.compile(configuration, source, block, awsExclusions, compiled, registry, targets::get);
        // Remember every session's and rule's counters, so snapshots report them even after an update drops them.
        for (final SessionPlan session : plan.sessions)
        {
            sessionBlocks.put(session.sessionId, new int[]{session.sessionBlock, session.copyBlock});
            for (final TrafficDirection direction : TrafficDirection.values())
            {
                for (final FilterRule rule : session.filter.filter().rules(direction))
                {
                    ruleBlocks.put(SessionPlan.ruleKey(session.sessionId, direction, rule.ruleNumber()),
                        new RuleKey(session.sessionId, direction, rule.ruleNumber(),
                            session.ruleBlock(direction, rule.ruleNumber())));
                }
            }
        }
        return plan;
    }

    private EngineState ownOutput(final MirrorConfiguration configuration, final SourcePlan[] plans, final boolean closed)
    {
        final List<InetSocketAddress> v4 = new ArrayList<>();
        final List<InetSocketAddress> v6 = new ArrayList<>();
        for (final TargetRuntime runtime : runtimes.values())
        {
            if (runtime instanceof UdpTarget)
            {
                for (final InetSocketAddress endpoint : ((UdpTarget)runtime).endpointAddresses())
                {
                    (endpoint.getAddress().getAddress().length == 4 ? v4 : v6).add(endpoint);
                }
            }
        }
        final int[] ipv4 = new int[v4.size()];
        final int[] ipv4Ports = new int[v4.size()];
        for (int i = 0; i < ipv4.length; i++)
        {
            ipv4[i] = Cidr.ofAddress(v4.get(i).getAddress()).ipv4Address();
            ipv4Ports[i] = v4.get(i).getPort();
        }
        final long[] ipv6 = new long[v6.size() * 2];
        final int[] ipv6Ports = new int[v6.size()];
        for (int i = 0; i < ipv6Ports.length; i++)
        {
            final Cidr single = Cidr.ofAddress(v6.get(i).getAddress());
            ipv6[2 * i] = single.high();
            ipv6[2 * i + 1] = single.low();
            ipv6Ports[i] = v6.get(i).getPort();
        }
        return new EngineState(configuration, plans, closed, registry.size(), ipv4, ipv4Ports, ipv6, ipv6Ports);
    }

    /**
     * Identifies a rule's counters.
     */
    static final class RuleKey
    {
        final String sessionId;
        final TrafficDirection direction;
        final int ruleNumber;
        final int block;

        RuleKey(final String sessionId, final TrafficDirection direction, final int ruleNumber, final int block)
        {
            this.sessionId = sessionId;
            this.direction = direction;
            this.ruleNumber = ruleNumber;
            this.block = block;
        }
    }

    /**
     * Builds a {@link MirrorEngine}.
     */
    public static final class Builder
    {
        private MirrorConfiguration configuration;
        private final Map<String, TargetBinding> bindings = new HashMap<>();
        private int slotsPerTarget = 1024;
        private int senderThreads = 1;
        private int socketsPerEndpoint = 4;
        private boolean awsExclusions = true;

        private Builder()
        {
        }

        /**
         * @param configuration the validated configuration; required.
         * @return this.
         */
        public Builder configuration(final MirrorConfiguration configuration)
        {
            this.configuration = configuration;
            return this;
        }

        /**
         * @param targetId a target of the configuration.
         * @param binding  where its copies go.
         * @return this.
         */
        public Builder bind(final String targetId, final TargetBinding binding)
        {
            bindings.put(Objects.requireNonNull(targetId, "targetId"), Objects.requireNonNull(binding, "binding"));
            return this;
        }

        /**
         * @param slots copies a target can have queued, 1..1,048,576 (rounded up to a power of two); each slot
         *              holds a copy of up to the target's MTU, so 1,024 slots of a 9001-byte target take about 9 MiB.
         * @return this.
         */
        public Builder slotsPerTarget(final int slots)
        {
            this.slotsPerTarget = slots;
            return this;
        }

        /**
         * @param threads sender threads, 1..64; targets are spread over them.
         * @return this.
         */
        public Builder senderThreads(final int threads)
        {
            this.senderThreads = threads;
            return this;
        }

        /**
         * @param sockets sockets per UDP endpoint, 1..64, each on its own source port; flows are spread over them.
         * @return this.
         */
        public Builder socketsPerEndpoint(final int sockets)
        {
            this.socketsPerEndpoint = sockets;
            return this;
        }

        /**
         * @param enabled whether traffic AWS never mirrors (ARP, DHCP, metadata, …) is left out; true by default.
         * @return this.
         */
        public Builder awsExclusions(final boolean enabled)
        {
            this.awsExclusions = enabled;
            return this;
        }

        /**
         * @return the engine, not yet started.
         * @throws InvalidConfigurationException when an option is out of range or a target lacks a binding.
         * @throws UncheckedIOException          when sockets cannot be opened.
         */
        public MirrorEngine build()
        {
            final Violations violations = new Violations();
            violations.checkRequired("engine", "configuration", configuration, "a MirrorConfiguration");
            violations.checkRange("engine", "slotsPerTarget", slotsPerTarget, 1, 1 << 20);
            violations.checkRange("engine", "senderThreads", senderThreads, 1, 64);
            violations.checkRange("engine", "socketsPerEndpoint", socketsPerEndpoint, 1, 64);
            violations.throwIfAny();
            return new MirrorEngine(this);
        }
    }
}
