/** FileSync benchmarks. */
package dev.filesync.bench;
