package io.trafficmirror.core.engine;

/**
 * The I/O loop a sender drives itself when its targets use Netty's epoll transport ({@code NettySenderLoop}): the
 * sender's own thread runs the loop's ready I/O and tasks between duty cycles and waits in it instead of parking,
 * so sockets registered on it are written from the sender's thread, without a hand-off to another thread.
 * <p>
 * Threading: the sender's thread, once it has {@link #adopt adopted} the loop; any thread may register sockets on
 * it before that (their registration waits in the loop's task queue).
 */
interface SenderLoop
{
    /**
     * Makes the calling thread the loop's owner: the sender's thread when it starts, or the engine's close for a
     * sender that never started. Once only; later calls do nothing.
     */
    void adopt();

    /**
     * Runs the I/O and tasks that are ready, without waiting.
     */
    void runNow();

    /**
     * Waits up to {@code nanos} for I/O or tasks, running them: the sender's park.
     */
    void park(long nanos);

    /**
     * Closes every socket registered on the loop, which reports their unsent copies as failed, then the loop.
     */
    void close();
}
