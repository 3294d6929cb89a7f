/** The FileSync server. */
package dev.filesync.server;
