package io.trafficmirror.core.engine;

import java.nio.ByteBuffer;

/**
 * Receives mirrored copies in the process, as an in-process target. Called from a sender thread, never from the
 * thread that offered the packet, so a slow consumer fills its target's queue and costs drops, not latency.
 */
@FunctionalInterface
public interface MirroredPacketConsumer
{
    /**
     * One mirrored copy.
     *
     * @param sessionId      the session that mirrored it.
     * @param vni            the session's VNI.
     * @param innerFrame     the copy (after truncation) from its position to its limit; read-only, valid only
     *                       during this call.
     * @param originalLength the length of the frame as offered, before truncation.
     */
    void onPacket(String sessionId, int vni, ByteBuffer innerFrame, int originalLength);
}
