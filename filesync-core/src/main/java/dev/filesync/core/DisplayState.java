package dev.filesync.core;

/**
 * What an application can show for one file right now.
 *
 * @param canDisplay the bytes are here, or can be read remotely
 * @param hasLocalCopy the bytes are on this device
 * @param uploaded the bytes are in remote storage (the row has a remote key)
 * @param uploading an upload is running
 * @param downloading a download is running
 * @param queued a transfer is waiting
 */
public record DisplayState(
    boolean canDisplay,
    boolean hasLocalCopy,
    boolean uploaded,
    boolean uploading,
    boolean downloading,
    boolean queued) {}
