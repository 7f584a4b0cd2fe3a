package io.trafficmirror.core.engine;

import java.nio.ByteBuffer;

/**
 * A target whose copies go to a {@link MirroredPacketConsumer} in this process. The consumer is application code
 * that may throw or hang; its sender catches the one and, unless the engine was told otherwise, gives the target a
 * thread of its own against the other.
 */
final class ConsumerTarget extends TargetRuntime
{
    private final TargetBinding binding;
    private final int mtu;

    ConsumerTarget(final String targetId, final TargetBinding binding, final int mtu, final int slotLength,
        final int slots, final int block)
    {
        super(targetId, slotLength, slots, block);
        this.binding = binding;
        this.mtu = mtu;
    }

    @Override
    int send(final Slot slot, final Sender sender)
    {
        final ByteBuffer view = slot.readOnlyView();
        view.limit(Slot.HEADROOM + slot.innerLength).position(Slot.HEADROOM);
        binding.consumer().onPacket(slot.sessionId, slot.vni, view, slot.originalLength);
        return SENT;
    }

    @Override
    boolean matches(final TargetBinding other, final int otherMtu)
    {
        return binding == other && mtu == otherMtu;
    }

    @Override
    boolean runsApplicationCode()
    {
        return true;
    }

    @Override
    public void close()
    {
    }
}
