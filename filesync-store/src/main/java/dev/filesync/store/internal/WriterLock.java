package dev.filesync.store.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-writer lock of a store directory: an OS file lock on {@code writer.lock}, which the OS
 * frees when the holding process exits, however it exits. Within one JVM a second opener of the
 * same store is refused through a process-wide set, since Java file locks are per process.
 */
final class WriterLock {
  private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path file;
  private FileChannel channel;
  private FileLock lock;

  WriterLock(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  /** Takes the lock if it is free; returns whether this object holds it now. */
  synchronized boolean tryAcquire() {
    if (lock != null) {
      return true;
    }
    if (!HELD_IN_THIS_JVM.add(file)) {
      return false;
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l = ch.tryLock();
      if (l == null) {
        ch.close();
        HELD_IN_THIS_JVM.remove(file);
        return false;
      }
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap(
              ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
      channel = ch;
      lock = l;
      return true;
    } catch (IOException | OverlappingFileLockException e) {
      closeQuietly(ch);
      HELD_IN_THIS_JVM.remove(file);
      return false;
    }
  }

  synchronized boolean held() {
    return lock != null;
  }

  /** Frees the lock if held. */
  synchronized void release() {
    if (lock == null) {
      return;
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel frees it too
    }
    closeQuietly(channel);
    lock = null;
    channel = null;
    HELD_IN_THIS_JVM.remove(file);
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // nothing more to free
      }
    }
  }
}
