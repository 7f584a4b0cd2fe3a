package io.trafficmirror.testing;

import io.trafficmirror.vxlan.FlowHash;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames grouped by flow, for tests of what a batched sender keeps: each flow's frames in their order. A flow is what
 * picks a copy's outer source port, the frame's {@link FlowHash} port; copies of different flows may leave in another
 * order than they were offered.
 */
public final class Flows
{
    private Flows()
    {
    }

    /**
     * @return the frames by flow-hash port, each flow's in the order given.
     */
    public static Map<Integer, List<byte[]>> byFlow(final List<byte[]> frames)
    {
        final Map<Integer, List<byte[]>> flows = new LinkedHashMap<>();
        for (final byte[] frame : frames)
        {
            flows.computeIfAbsent(FlowHash.sourcePort(frame, 0, frame.length), port -> new ArrayList<>()).add(frame);
        }
        return flows;
    }
}
