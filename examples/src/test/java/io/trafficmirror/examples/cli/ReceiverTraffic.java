package io.trafficmirror.examples.cli;

import io.trafficmirror.vxlan.VxlanHeaderEncoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the receive command's tests send and look at: recognisable frames, their VXLAN datagrams, the command line
 * of a child JVM running the CLI, and the files a receiver wrote.
 */
final class ReceiverTraffic
{
    private ReceiverTraffic()
    {
    }

    /** {@code java … MirrorCommand ARGS}, on this JVM's class path, small and quick to start. */
    static List<String> javaCommand(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
            MirrorCommand.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** A frame of the given length whose bytes follow from the seed, so that frames can be told apart. */
    static byte[] frame(final int seed, final int length)
    {
        final byte[] frame = new byte[length];
        for (int i = 0; i < length; i++)
        {
            frame[i] = (byte)(i * 31 + seed * 7);
        }
        return frame;
    }

    /** The VXLAN datagram (header and inner frame) that carries a frame with a VNI. */
    static byte[] vxlan(final int vni, final byte[] frame)
    {
        final byte[] datagram = new byte[VxlanHeaderEncoder.HEADER_LENGTH + frame.length];
        new VxlanHeaderEncoder().wrap(ByteBuffer.wrap(datagram), 0).encode(vni);
        System.arraycopy(frame, 0, datagram, VxlanHeaderEncoder.HEADER_LENGTH, frame.length);
        return datagram;
    }

    /** The names of a directory's entries, sorted. */
    static List<String> fileNames(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
