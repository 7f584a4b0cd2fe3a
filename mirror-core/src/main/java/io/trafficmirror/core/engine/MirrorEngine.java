package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.core.transport.NativeTransport;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.Violations;

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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The session engine: mirrors the packets an application hands to its {@link SourceHandle}s, as a validated
 * {@link MirrorConfiguration} says, to the targets its {@link TargetBinding}s name.
 * <p>
 * The caller's thread does the classifying: it parses the frame's headers, asks the compiled filters of the
 * source's sessions in ascending session number, and when one accepts, copies the bytes to mirror (packet length
 * and the target's MTU) into a slot and queues it on the target's bounded lock-free queue. It never
 * waits: a full queue drops the copy and counts it, because mirrored traffic has lower priority than the
 * application's own. Input that can wait (a capture file) uses a {@link #losslessSource lossless handle} instead,
 * whose copies wait, bounded, for room. Sender threads drain the queues in batches and send each copy as VXLAN.
 * <p>
 * Lifecycle: {@link #start()} starts the senders; {@link #update} swaps in a new configuration atomically while
 * packets flow (each packet is judged wholly by the old or wholly by the new one, and copies already queued keep
 * their session's VNI and target); {@link #close(Duration)} stops accepting, drains the queues for at most the
 * given time and releases sockets. Metrics: {@link #metrics()}.
 * <p>
 * Accounting: every accepted copy is, at every moment, in exactly one state: queued, in flight (being sent),
 * mirrored, or dropped for a named reason (queue full, send error, failure, shutdown). Every snapshot satisfies,
 * per session, per target and per source interface and direction, accepted = mirrored + dropped + queued + in
 * flight, and once nothing is queued or in flight (after {@link #close} has returned, unless a consumer still holds
 * a copy), accepted = mirrored + dropped. Per source, offered = not mirrored + the sum of its sessions' accepted,
 * exact once every offer has returned.
 * <p>
 * Failures: nothing a target does reaches the caller's thread. Whatever a send throws, {@code Error}s included,
 * is caught by the sender, counted ({@link MetricsSnapshot.CopyMetrics#failures()}), handed to the
 * {@link Builder#errorHandler error handler}, and its copy counted as dropped; the sender goes on with the other
 * copies and targets. A consumer that hangs holds only its own target: each consumer target has a sender thread
 * of its own (see {@link Builder#isolateConsumers}); its copies fill its queue and are counted as dropped, and
 * {@link #close(Duration)} still returns in time, counting the copy the consumer holds as in flight and the queued
 * ones as dropped at shutdown.
 * <p>
 * Memory: per producer, nothing: producers share a fixed pool of contexts (see {@link ProducerContexts}), four
 * per processor, each a header flyweight and one long per counter. Per target, {@code 70 + S} bytes of direct
 * memory per slot, where S is the most its sessions can send (the MTU less the outer headers, or the largest
 * packet length of its sessions when smaller); a target starts with 16 slots and grows, doubling, up to
 * {@link Builder#slotsPerTarget} while more than half are in use.
 */
public final class MirrorEngine implements AutoCloseable
{
    /** How long {@link #close()} waits for queues to drain. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Tests only: runs on the producer's thread between reading the engine state and queueing the copy, while the
     * producer holds its context. A no-op unless a test sets it.
     */
    static volatile Runnable afterStateRead = () ->
    {
    };

    private static final long CLOSE_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The longest a lossless handle's copy may wait for room. */
    private static final Duration MAX_WAIT = Duration.ofHours(1);

    private final CounterRegistry registry = new CounterRegistry();
    private final ProducerContexts contexts;
    private final RateLimitedLog log = new RateLimitedLog(TimeUnit.SECONDS.toNanos(10));
    private final int slotsPerTarget;
    private final int socketsPerEndpoint;
    private final boolean awsExclusions;
    private final boolean isolateConsumers;
    private final ThreadFactory threadFactory;
    /** True when UDP targets use Netty's epoll sockets, on the shared senders' loops. */
    private final boolean nativeTransport;
    private final EngineErrorHandler errorHandler;
    /** The senders that serve any number of targets; each consumer target may have one of its own too. */
    private final Sender[] sharedSenders;
    private final Object control = new Object();

    // Guarded by control.
    private final Map<String, Integer> sourceIndexes = new LinkedHashMap<>();
    private final Map<String, TargetRuntime> runtimes = new HashMap<>();
    private final Map<String, int[]> sessionBlocks = new LinkedHashMap<>();
    private final Map<String, Integer> targetBlocks = new LinkedHashMap<>();
    /** Per UDP target, the counter block of every endpoint it has had, in the order they came. */
    private final Map<String, Map<InetSocketAddress, Integer>> endpointBlocks = new LinkedHashMap<>();
    private final Map<String, RuleKey> ruleBlocks = new LinkedHashMap<>();
    /** Every sender whose thread may still run: the shared ones and the consumer targets' own. */
    private final List<Sender> senders = new ArrayList<>();
    /** Runtimes the state being compiled no longer uses; retired when that state is published. */
    private final List<TargetRuntime> retiring = new ArrayList<>();
    /** Counts written by whichever thread holds the control lock (close's leftovers, finished senders). */
    private final ThreadCounters controlCounters;
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
        this.isolateConsumers = builder.isolateConsumers;
        this.threadFactory = builder.threadFactory != null ? builder.threadFactory : defaultThreadFactory();
        this.errorHandler = builder.errorHandler != null ? builder.errorHandler : this::logFailure;
        this.contexts = new ProducerContexts(Runtime.getRuntime().availableProcessors(), registry);
        this.controlCounters = registry.register(new ThreadCounters(0));
        this.nativeTransport = builder.transport.resolvesToNative();
        if (builder.transport == DatagramTransport.AUTO && !nativeTransport && !TRANSPORT_LOGGED.getAndSet(true))
        {
            log.warn("transport", "UDP targets send through the " + NativeTransport.describe(builder.transport) +
                "; add " + NativeTransport.ARTIFACT + " for batched sends");
        }
        synchronized (control)
        {
            this.sharedSenders = new Sender[builder.senderThreads];
            for (int i = 0; i < sharedSenders.length; i++)
            {
                sharedSenders[i] = newSender(false, nativeTransport ? NettySenderLoop.create() : null);
            }
            this.bindings = Map.copyOf(builder.bindings);
            publish(compile(builder.configuration, false));
        }
    }

    /** Set once the choice of the JDK's transport for want of Netty has been logged, in this class loader. */
    private static final AtomicBoolean TRANSPORT_LOGGED = new AtomicBoolean();

    private static ThreadFactory defaultThreadFactory()
    {
        final AtomicInteger count = new AtomicInteger();
        return task ->
        {
            final Thread thread = new Thread(task, "trafficmirror-sender-" + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }

    private void logFailure(final String targetId, final Throwable failure)
    {
        final String key = targetId == null ? "sender" : targetId;
        if (log.allow(key))
        {
            log.warn(key, key + ": " + (targetId == null ? "sender failed: " : "send failed: ") + failure);
        }
    }

    /** Under the control lock: a sender and its thread, not started: {@link #start()} starts it, or its maker. */
    private Sender newSender(final boolean dedicated, final SenderLoop loop)
    {
        final Sender sender = new Sender(registry, errorHandler, dedicated, loop);
        final Thread thread = threadFactory.newThread(sender);
        if (thread == null)
        {
            throw new IllegalStateException("the engine's thread factory returned no thread");
        }
        sender.thread = thread;
        senders.add(sender);
        return sender;
    }

    /**
     * @return how UDP targets send here: {@link DatagramTransport#NATIVE} (Netty's epoll, a batch per system call)
     *         or {@link DatagramTransport#JDK}.
     */
    public DatagramTransport transport()
    {
        return nativeTransport ? DatagramTransport.NATIVE : DatagramTransport.JDK;
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
            for (final Sender sender : senders)
            {
                sender.thread.start();
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
        return new SourceHandle(this, networkInterfaceId, sourceIndex(networkInterfaceId), 0);
    }

    /**
     * A handle for input that can wait, such as a capture file: when a copy's target has no free slot, the call
     * waits for one, up to {@code maxWait} per copy, instead of dropping the copy (see {@link SourceHandle}). Live
     * traffic should use {@link #source(String)}, which never waits.
     *
     * @param networkInterfaceId the source interface.
     * @param maxWait            how long one copy may wait for room before it is dropped as queue full; 1 ns to
     *                           1 hour. It bounds the wait for a sender that is stuck (a consumer that hangs); close
     *                           and the retirement of a target end a wait at once.
     * @return its handle.
     * @throws InvalidConfigurationException when {@code maxWait} is out of range.
     */
    public SourceHandle losslessSource(final String networkInterfaceId, final Duration maxWait)
    {
        Objects.requireNonNull(networkInterfaceId, "networkInterfaceId");
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative() || maxWait.isZero() || maxWait.compareTo(MAX_WAIT) > 0)
        {
            Violations.withoutErrorCodes()
                .addWithoutCode(networkInterfaceId, "maxWait", maxWait, "1 nanosecond to 1 hour (PT1H)")
                .throwIfAny();
        }
        return new SourceHandle(this, networkInterfaceId, sourceIndex(networkInterfaceId), maxWait.toNanos());
    }

    /** The index of a source's plan, compiling one (that counts everything as not mirrored) when it is unknown. */
    private int sourceIndex(final String networkInterfaceId)
    {
        Objects.requireNonNull(networkInterfaceId, "networkInterfaceId");
        synchronized (control)
        {
            Integer index = sourceIndexes.get(networkInterfaceId);
            if (index == null)
            {
                publish(compile(state.configuration, state.closed, networkInterfaceId));
                index = sourceIndexes.get(networkInterfaceId);
            }
            return index;
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
                publish(compile(configuration, false));
            }
            catch (final RuntimeException ex)
            {
                bindings = previous;
                throw ex;
            }
        }
    }

    /**
     * Tests: the runtime in use for a target, or null.
     */
    TargetRuntime runtime(final String targetId)
    {
        synchronized (control)
        {
            return runtimes.get(targetId);
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
            pruneFinishedSenders();
            return MetricsSnapshot.take(registry, sourceIndexes.keySet(), sessionBlocks, targetBlocks, endpointBlocks,
                ruleBlocks);
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
     * Stops accepting packets (later offers are counted as not mirrored), waits for offers already under way, lets
     * the senders drain what is queued for at most {@code timeout}, then stops them, counts whatever is still queued
     * as dropped at shutdown and closes the targets. Returns within the timeout plus a short grace even when a
     * consumer hangs and ignores interrupts; the copy it holds is then counted as in flight, and as mirrored or
     * dropped when the consumer returns.
     *
     * @param timeout how long to wait for the queues to drain.
     * @return true when everything queued was sent.
     */
    public boolean close(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final ProducerContexts.Quiescence quiescence;
        final List<Sender> all;
        synchronized (control)
        {
            if (state.closed)
            {
                return true;
            }
            publish(state.closedCopy());
            quiescence = contexts.snapshot();
            all = new ArrayList<>(senders);
        }
        // Offers that read the open state take nanoseconds; once they are over, nothing more can be queued, so
        // what the senders drain and what is dropped below is everything.
        boolean drained = awaitQuiescence(quiescence, deadline);
        for (final Sender sender : all)
        {
            sender.drainAndStop();
        }
        if (started)
        {
            for (final Sender sender : all)
            {
                drained &= join(sender.thread, deadline);
            }
            if (!drained)
            {
                for (final Sender sender : all)
                {
                    sender.abort();
                    sender.thread.interrupt();
                }
                final long grace = System.nanoTime() + CLOSE_GRACE_NANOS;
                for (final Sender sender : all)
                {
                    join(sender.thread, grace);
                }
            }
        }
        synchronized (control)
        {
            for (final Sender sender : all)
            {
                // A sender stuck in a consumer that ignores interrupts keeps the copy it holds (in flight); the
                // queues are multi-consumer, so its queued copies are taken and counted here all the same.
                drained &= !sender.thread.isAlive();
                for (final TargetRuntime target : sender.targets())
                {
                    drained &= dropLeftovers(target, controlCounters);
                    Sender.close(target, controlCounters, errorHandler);
                }
                if (!started && sender.loop != null)
                {
                    // Its thread never ran: the loop, and the sockets registered on it, are closed here.
                    sender.loop.adopt();
                    sender.loop.close();
                }
            }
            pruneFinishedSenders();
        }
        return drained;
    }

    /**
     * @param maxWaitNanos 0 for a live handle (a copy without a free slot is dropped), else how long it may wait.
     */
    int offer(
        final int sourceIndex,
        final ByteBuffer frame,
        final int offset,
        final int length,
        final TrafficDirection direction,
        final long maxWaitNanos)
    {
        final ProducerContext context = contexts.claim();
        try
        {
            // Read after the claim, which ProducerContexts' quiescence relies on.
            final EngineState current = state;
            context.counters.ensureCapacity(current.counterSize);
            afterStateRead.run();
            final SourcePlan source = current.sources[sourceIndex];
            if (offset < 0 || length <= 0 || (long)offset + length > frame.limit())
            {
                // A frame outside its buffer cannot be read: count it like an unreadable one.
                return source.offer(current, context, EMPTY, 0, 0, direction, this, maxWaitNanos);
            }
            return source.offer(current, context, frame, offset, length, direction, this, maxWaitNanos);
        }
        finally
        {
            contexts.release(context);
        }
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /**
     * Producer waiting for room: true once {@link #close} has begun, so that the wait ends.
     */
    boolean closing()
    {
        return state.closed;
    }

    /** Under the control lock: publishes a state, then retires the runtimes it no longer uses. */
    private void publish(final EngineState next)
    {
        state = next;
        if (!retiring.isEmpty())
        {
            // After the volatile write of the state: see ProducerContexts for why this snapshot is enough.
            final ProducerContexts.Quiescence quiescence = contexts.snapshot();
            for (final TargetRuntime runtime : retiring)
            {
                runtime.retirement = quiescence;
            }
            retiring.clear();
        }
    }

    /** Under the control lock: folds the counts of consumer targets' senders that have ended. */
    private void pruneFinishedSenders()
    {
        if (!started)
        {
            return;
        }
        for (int i = senders.size() - 1; i >= 0; i--)
        {
            final Sender sender = senders.get(i);
            // isAlive() false orders everything the thread did before this read.
            if (sender.dedicated && !sender.thread.isAlive() && sender.targets().length == 0)
            {
                registry.fold(sender.counters, controlCounters);
                senders.remove(i);
            }
        }
    }

    private static boolean awaitQuiescence(final ProducerContexts.Quiescence quiescence, final long deadlineNanos)
    {
        while (!quiescence.reached())
        {
            if (System.nanoTime() - deadlineNanos >= 0)
            {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }

    private static boolean dropLeftovers(final TargetRuntime target, final ThreadCounters counters)
    {
        counters.ensureCapacity(target.copyBlock + Counter.COPY_WIDTH);
        boolean none = true;
        Slot slot;
        for (int lane = 0; lane < target.lanes.length; lane++)
        {
            while ((slot = target.lanes[lane].poll()) != null)
            {
                none = false;
                counters.ensureCapacity(Math.max(slot.sessionCopyBlock, slot.sourceCopyBlock) + Counter.COPY_WIDTH);
                counters.add(slot.sessionCopyBlock + Counter.COPY_DEQUEUED_PACKETS, 1);
                counters.add(slot.sourceCopyBlock + Counter.COPY_DEQUEUED_PACKETS, 1);
                counters.add(target.copyBlock + Counter.COPY_DEQUEUED_PACKETS, 1);
                counters.add(slot.sessionCopyBlock + Counter.COPY_DROPPED_SHUTDOWN, 1);
                counters.add(slot.sourceCopyBlock + Counter.COPY_DROPPED_SHUTDOWN, 1);
                counters.add(target.copyBlock + Counter.COPY_DROPPED_SHUTDOWN, 1);
                target.free.offer(slot);
            }
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

    private EngineState compile(final MirrorConfiguration configuration, final boolean closed, final String... extraSources)
    {
        Objects.requireNonNull(configuration, "configuration");
        final Violations violations = Violations.withoutErrorCodes();
        for (final MirrorSession session : configuration.sessions())
        {
            if (!bindings.containsKey(session.targetId()))
            {
                violations.addWithoutCode(session.targetId(), "binding", null,
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
        final SourcePlan.CompiledFilters compiled = new SourcePlan.CompiledFilters();
        final SourcePlan[] plans = new SourcePlan[sourceIndexes.size()];
        for (final Map.Entry<String, Integer> entry : sourceIndexes.entrySet())
        {
            final String id = entry.getKey();
            final int block = registry.block("source/" + id, Counter.SOURCE_WIDTH);
            final MirrorSource source = configuration.source(id).orElse(null);
            plans[entry.getValue()] = source == null ?
                SourcePlan.unconfigured(id, block, SourcePlan.copyBlocks(registry, id)) :
                sourcePlan(configuration, source, block, nextRuntimes, compiled);
        }

        // The runtimes the new configuration no longer uses are retired when it is published; their senders
        // drain them and close them once no producer can reach them.
        for (final Map.Entry<String, TargetRuntime> entry : runtimes.entrySet())
        {
            if (nextRuntimes.get(entry.getKey()) != entry.getValue())
            {
                retiring.add(entry.getValue());
            }
        }
        runtimes.clear();
        runtimes.putAll(nextRuntimes);
        return ownOutput(configuration, plans, closed);
    }

    private Map<String, TargetRuntime> targetRuntimes(final MirrorConfiguration configuration)
    {
        // The most a session can send to each target: its slots need hold no more.
        final Map<String, Integer> largestPacket = new HashMap<>();
        for (final MirrorSession session : configuration.sessions())
        {
            final int packetLength = configuration.packetLength(session).orElse(Integer.MAX_VALUE);
            largestPacket.merge(session.targetId(), packetLength, Math::max);
        }
        final Map<String, TargetRuntime> next = new HashMap<>();
        final List<TargetRuntime> created = new ArrayList<>();
        for (final MirrorSession session : configuration.sessions())
        {
            final MirrorTarget target = configuration.target(session.targetId()).orElseThrow();
            if (next.containsKey(target.id()))
            {
                continue;
            }
            final TargetBinding binding = bindings.get(target.id());
            final int slotLength = slotLength(binding, target.mtu(), largestPacket.get(target.id()));
            final TargetRuntime existing = runtimes.get(target.id());
            if (existing != null && existing.matches(binding, target.mtu()) && existing.matches(target)
                && existing.slotLength >= slotLength)
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
                        runtime = new UdpTarget(target.id(), binding, target.mtu(), slotLength, slotsPerTarget, block,
                            endpointBlocks(target.id(), binding), socketsPerEndpoint, senderLoops(), log);
                        break;
                    case PCAP:
                        runtime = new PcapTarget(target, binding, slotLength, slotsPerTarget, block, log);
                        break;
                    default:
                        runtime = new ConsumerTarget(
                            target.id(), binding, target.mtu(), slotLength, slotsPerTarget, block);
                        break;
                }
            }
            catch (final IOException ex)
            {
                created.forEach(TargetRuntime::closeOnce);
                throw new UncheckedIOException("cannot open sockets for target " + target.id(), ex);
            }
            catch (final RuntimeException | Error ex)
            {
                created.forEach(TargetRuntime::closeOnce);
                throw ex;
            }
            next.put(target.id(), runtime);
            created.add(runtime);
        }
        // Only now that every runtime exists: a failure above leaves no sender serving a runtime nobody uses.
        for (final TargetRuntime runtime : created)
        {
            if (isolateConsumers && runtime.runsApplicationCode())
            {
                // Its target before its thread: a dedicated sender with nothing to serve ends at once.
                final Sender sender = newSender(true, null);
                sender.add(runtime);
                if (started)
                {
                    sender.thread.start();
                }
            }
            else if (runtime.lanes.length == sharedSenders.length && runtime instanceof UdpTarget)
            {
                // A lane on every shared sender, whose loop its sockets are registered on.
                for (int lane = 0; lane < sharedSenders.length; lane++)
                {
                    sharedSenders[lane].add(runtime, lane);
                }
            }
            else
            {
                sharedSenders[nextSender++ % sharedSenders.length].add(runtime);
            }
        }
        return next;
    }

    /**
     * Control thread: the counter block of each endpoint of a UDP target's binding, in the binding's order, made
     * on first use; an endpoint keeps its block, and its counts, across updates.
     */
    private int[] endpointBlocks(final String targetId, final TargetBinding binding)
    {
        final Map<InetSocketAddress, Integer> known = endpointBlocks.computeIfAbsent(targetId, id -> new LinkedHashMap<>());
        final List<InetSocketAddress> endpoints = binding.endpoints();
        final int[] blocks = new int[endpoints.size()];
        for (int i = 0; i < blocks.length; i++)
        {
            final InetSocketAddress endpoint = endpoints.get(i);
            blocks[i] = known.computeIfAbsent(endpoint,
                address -> registry.block("endpoint/" + targetId + "/" + address, Counter.ENDPOINT_WIDTH));
        }
        return blocks;
    }

    /** One entry per shared sender, for a UDP target's lanes: its loop, or null for the JDK's sockets. */
    private SenderLoop[] senderLoops()
    {
        final SenderLoop[] loops = new SenderLoop[sharedSenders.length];
        for (int i = 0; i < loops.length; i++)
        {
            loops[i] = sharedSenders[i].loop;
        }
        return loops;
    }

    /**
     * The inner bytes a target's slots hold: what fits its MTU, or less when every session that uses it has a
     * smaller packet length. A pcap target keeps the MTU's worth, so that a longer packet length in an update
     * does not replace it (and its file).
     */
    private static int slotLength(final TargetBinding binding, final int mtu, final int largestPacketLength)
    {
        switch (binding.kind())
        {
            case UDP:
                return TargetRuntime.slotLength(UdpTarget.mtuLimit(binding, mtu), largestPacketLength);
            case PCAP:
                return mtu - UdpTarget.IPV4_OVERHEAD;
            default:
                return TargetRuntime.slotLength(mtu - UdpTarget.IPV4_OVERHEAD, largestPacketLength);
        }
    }

    private SourcePlan sourcePlan(
        final MirrorConfiguration configuration,
        final MirrorSource source,
        final int block,
        final Map<String, TargetRuntime> targets,
        final SourcePlan.CompiledFilters compiled)
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
        private boolean isolateConsumers = true;
        private ThreadFactory threadFactory;
        private EngineErrorHandler errorHandler;
        private DatagramTransport transport = DatagramTransport.AUTO;

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
         * @param slots copies a target can have queued, 1..1,048,576; 1,024 by default. Slots are made as they are
         *              needed: a target starts with 16 and doubles them while more than half are in use. Each holds
         *              70 bytes of headroom and the most the target's sessions can send (at most the MTU less the
         *              outer headers), so 1,024 slots of a 9001-byte target take about 9 MiB at most.
         * @return this.
         */
        public Builder slotsPerTarget(final int slots)
        {
            this.slotsPerTarget = slots;
            return this;
        }

        /**
         * @param threads sender threads, 1..64, shared by the UDP and pcap targets (and by the consumer targets when
         *                {@link #isolateConsumers} is off), which are spread over them.
         * @return this.
         */
        public Builder senderThreads(final int threads)
        {
            this.senderThreads = threads;
            return this;
        }

        /**
         * @param transport how UDP targets send: {@link DatagramTransport#AUTO} (the default) uses Netty's epoll
         *                  transport when it is on the class path (runs of copies of one length as segmentation-offload
         *                  sends, other copies as plain sends), else the JDK's channel, and logs that once;
         *                  {@link DatagramTransport#NATIVE} requires Netty's; {@link DatagramTransport#JDK} never
         *                  uses it. The datagrams are the same either way.
         * @return this.
         */
        public Builder transport(final DatagramTransport transport)
        {
            this.transport = Objects.requireNonNull(transport, "transport");
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
         * @param isolated whether each consumer target gets a sender thread of its own, so that a consumer that
         *                 hangs stops only its own target; true by default. When false, consumer targets share the
         *                 {@link #senderThreads} with the others: a consumer that throws still costs only its own
         *                 copies, but one that hangs holds every target of its thread.
         * @return this.
         */
        public Builder isolateConsumers(final boolean isolated)
        {
            this.isolateConsumers = isolated;
            return this;
        }

        /**
         * @param factory makes the engine's sender threads (each runs one sender's loop until the engine closes);
         *                by default daemon threads named {@code trafficmirror-sender-N}.
         * @return this.
         */
        public Builder threadFactory(final ThreadFactory factory)
        {
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * @param handler told of everything a target's send or close throws, on the sender thread; by default a
         *                log line per target at most every ten seconds.
         * @return this.
         */
        public Builder errorHandler(final EngineErrorHandler handler)
        {
            this.errorHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * @return the engine, not yet started.
         * @throws InvalidConfigurationException when an option is out of range or a target lacks a binding.
         * @throws UncheckedIOException          when sockets cannot be opened.
         */
        public MirrorEngine build()
        {
            final Violations violations = Violations.withoutErrorCodes();
            violations.checkRequired("engine", "configuration", configuration, "a MirrorConfiguration");
            violations.checkRange("engine", "slotsPerTarget", slotsPerTarget, 1, 1 << 20);
            violations.checkRange("engine", "senderThreads", senderThreads, 1, 64);
            violations.checkRange("engine", "socketsPerEndpoint", socketsPerEndpoint, 1, 64);
            if (transport == DatagramTransport.NATIVE && !NativeTransport.isAvailable())
            {
                violations.addWithoutCode("engine", "transport", transport,
                    "AUTO or JDK here: " + NativeTransport.unavailabilityReason());
            }
            violations.throwIfAny();
            return new MirrorEngine(this);
        }
    }
}
