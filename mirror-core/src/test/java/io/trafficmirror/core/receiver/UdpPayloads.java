package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.CaptureReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The UDP payloads of a capture's IPv4 packets to one port: what a socket on that port would have delivered. */
final class UdpPayloads
{
    private UdpPayloads()
    {
    }

    static List<byte[]> of(final Path capture, final int port) throws IOException
    {
        final List<byte[]> payloads = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(capture))
        {
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                final int start = frame.position();
                int ip = start + 14;
                int etherType = frame.getShort(start + 12) & 0xFFFF;
                while (etherType == 0x8100 || etherType == 0x88A8)
                {
                    etherType = frame.getShort(ip + 2) & 0xFFFF;
                    ip += 4;
                }
                if (etherType != 0x0800 || (frame.get(ip + 9) & 0xFF) != 17)
                {
                    continue;
                }
                final int udp = ip + (frame.get(ip) & 0x0F) * 4;
                final int destinationPort = frame.getShort(udp + 2) & 0xFFFF;
                final int udpLength = frame.getShort(udp + 4) & 0xFFFF;
                if (destinationPort != port)
                {
                    continue;
                }
                final byte[] payload = new byte[Math.min(udpLength - 8, frame.limit() - udp - 8)];
                frame.get(udp + 8, payload);
                payloads.add(payload);
            }
        }
        return payloads;
    }
}
