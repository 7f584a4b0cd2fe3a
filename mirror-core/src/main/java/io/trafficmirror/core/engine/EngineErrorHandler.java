package io.trafficmirror.core.engine;

/**
 * Told of every failure the engine's sender threads catch: anything (exceptions and errors alike) a target's send
 * or close threw, above all a {@link MirroredPacketConsumer}'s. Each is also counted in the target's metrics, and
 * the copy in flight is counted as dropped. Called on the sender thread that caught it, so it must be quick and
 * must not block; what it throws is ignored. The default logs at most one line per target every ten seconds.
 */
@FunctionalInterface
public interface EngineErrorHandler
{
    /**
     * @param targetId the target whose send or close failed, or {@code null} for a failure of the sender itself.
     * @param failure  what was thrown.
     */
    void onError(String targetId, Throwable failure);
}
