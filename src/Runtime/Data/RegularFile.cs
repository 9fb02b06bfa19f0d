namespace StaticConvNet;

/// <summary>What a reader that takes a whole file into memory checks before opening it.</summary>
internal static class RegularFile
{
    /// <summary>Refuses a file that reports no length, followed through symbolic links: an empty file, or one that is
    /// not a regular file. /dev/zero never ends (read whole, it grows a buffer until memory runs out), a FIFO blocks
    /// until someone writes. Call it once the path is known to exist.</summary>
    public static void CheckHasLength(string path)
    {
        var info = new FileInfo(path);
        var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        if (target is null || !target.Exists || target.Length == 0) throw new DataFormatException(path, "is empty or not a regular file");
    }
}
