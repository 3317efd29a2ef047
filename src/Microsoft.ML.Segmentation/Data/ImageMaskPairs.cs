using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Microsoft.ML.Segmentation.Data;

/// <summary>
/// Builds the list of (image, mask) pairs of a dataset: from an images folder and a masks folder paired by file stem,
/// or from a manifest file of <c>image,mask</c> lines.
/// </summary>
/// <remarks>
/// Stems compare case-insensitively and ignore the extension, so <c>images/Cat_01.jpg</c> pairs with
/// <c>masks/cat_01.PNG</c>. Only files with a supported image extension are considered (<see cref="ImageExtensions"/>).
/// Pairs are returned sorted by name (ordinal, case-insensitive), so runs are reproducible.
/// <para>Thread safety: stateless; every member is thread-safe.</para>
/// </remarks>
public static class ImageMaskPairs
{
    private const int ListedNames = 10;

    /// <summary>File extensions (lower case, with the dot) considered images or masks.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } =
        [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pbm"];

    /// <summary>Pairs every image in <paramref name="imagesDirectory"/> with the mask of the same stem in <paramref name="masksDirectory"/>.</summary>
    /// <param name="imagesDirectory">The folder of images.</param>
    /// <param name="masksDirectory">The folder of masks.</param>
    /// <param name="recursive">Whether to search sub-folders too; then the sub-folder path is part of the name that must match. Default: <see langword="false"/>.</param>
    /// <returns>The pairs, sorted by name; never empty.</returns>
    /// <exception cref="ArgumentException">A folder name is null or empty; an image has no mask or a mask no image (the message lists the first ten names on each side and the counts); two files of one folder share a stem (e.g. <c>a.png</c> and <c>a.jpg</c>); or the folders hold no images.</exception>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    public static IReadOnlyList<ImageMaskPair> FromFolders(string imagesDirectory, string masksDirectory, bool recursive = false)
    {
        Dictionary<string, string> images = Index(imagesDirectory, recursive, nameof(imagesDirectory));
        Dictionary<string, string> masks = Index(masksDirectory, recursive, nameof(masksDirectory));
        List<string> noMask = images.Keys.Where(k => !masks.ContainsKey(k)).Order(StringComparer.OrdinalIgnoreCase).ToList();
        List<string> noImage = masks.Keys.Where(k => !images.ContainsKey(k)).Order(StringComparer.OrdinalIgnoreCase).ToList();
        if (noMask.Count > 0 || noImage.Count > 0)
        {
            var message = new StringBuilder($"The images in '{imagesDirectory}' and the masks in '{masksDirectory}' do not pair up by file stem.");
            if (noMask.Count > 0)
            {
                message.Append($" {noMask.Count} image(s) have no mask: {Names(noMask)}.");
            }

            if (noImage.Count > 0)
            {
                message.Append($" {noImage.Count} mask(s) have no image: {Names(noImage)}.");
            }

            message.Append(" Rename or remove them, or list the pairs in a manifest.");
            throw new ArgumentException(message.ToString(), nameof(masksDirectory));
        }

        if (images.Count == 0)
        {
            throw new ArgumentException($"'{imagesDirectory}' holds no images ({string.Join(", ", ImageExtensions)}){(recursive ? string.Empty : "; search sub-folders with recursive: true")}.", nameof(imagesDirectory));
        }

        return images.Keys.Order(StringComparer.OrdinalIgnoreCase).Select(k => new ImageMaskPair(k, images[k], masks[k])).ToList();
    }

    /// <summary>Reads a manifest: one <c>image,mask</c> pair per line, paths relative to the manifest's folder (or absolute).</summary>
    /// <param name="manifestPath">The manifest file (CSV or text). Blank lines and lines starting with <c>#</c> are skipped; a first line whose fields are <c>image</c> and <c>mask</c> (any case) is a header. Fields may be quoted with <c>"</c>; a tab separates them too.</param>
    /// <returns>The pairs, in file order; never empty.</returns>
    /// <exception cref="ArgumentException">The path is null or empty; a line does not have two fields (the message gives the line number); the manifest lists no pair; or a listed file does not exist (the message lists the first ten and the count).</exception>
    /// <exception cref="FileNotFoundException">The manifest does not exist.</exception>
    public static IReadOnlyList<ImageMaskPair> FromManifest(string manifestPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"Manifest '{manifestPath}' does not exist; check the path and the working directory ({Environment.CurrentDirectory}).", manifestPath);
        }

        string root = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var pairs = new List<ImageMaskPair>();
        var missing = new List<string>();
        string[] lines = File.ReadAllLines(manifestPath);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            List<string> fields = SplitFields(line);
            if (fields.Count != 2 || fields[0].Length == 0 || fields[1].Length == 0)
            {
                throw new ArgumentException($"Manifest '{manifestPath}' line {i + 1} has {fields.Count} field(s): \"{line}\"; expected 'image,mask'.", nameof(manifestPath));
            }

            if (pairs.Count == 0 && missing.Count == 0 && fields[0].Equals("image", StringComparison.OrdinalIgnoreCase) && fields[1].Equals("mask", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string image = Path.GetFullPath(fields[0], root);
            string mask = Path.GetFullPath(fields[1], root);
            foreach (string file in (ReadOnlySpan<string>)[image, mask])
            {
                if (!File.Exists(file))
                {
                    missing.Add($"{Path.GetRelativePath(root, file)} (line {i + 1})");
                }
            }

            pairs.Add(new ImageMaskPair(Path.GetFileNameWithoutExtension(image), image, mask));
        }

        if (missing.Count > 0)
        {
            throw new ArgumentException($"Manifest '{manifestPath}' lists {missing.Count} file(s) that do not exist: {Names(missing)}.", nameof(manifestPath));
        }

        if (pairs.Count == 0)
        {
            throw new ArgumentException($"Manifest '{manifestPath}' lists no pair; write one 'image,mask' line per pair.", nameof(manifestPath));
        }

        return pairs;
    }

    /// <summary>Lists the images of a folder (files with an extension in <see cref="ImageExtensions"/>), sorted by path.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="recursive">Whether to search sub-folders too. Default: <see langword="false"/>.</param>
    /// <returns>Full paths, sorted (ordinal, case-insensitive); possibly empty.</returns>
    /// <exception cref="ArgumentException">The name is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<string> FindImages(string directory, bool recursive = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Folder '{directory}' does not exist; check the path and the working directory ({Environment.CurrentDirectory}).");
        }

        return Directory.EnumerateFiles(Path.GetFullPath(directory), "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(IsImage)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static Dictionary<string, string> Index(string directory, bool recursive, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory, paramName);
        string root = Path.GetFullPath(directory);
        var index = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var duplicates = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in FindImages(directory, recursive))
        {
            string relative = Path.GetRelativePath(root, file);
            string name = Path.Combine(Path.GetDirectoryName(relative) ?? string.Empty, Path.GetFileNameWithoutExtension(relative)).Replace('\\', '/');
            if (!index.TryAdd(name, file))
            {
                duplicates.Add($"{Path.GetFileName(index[name])} / {Path.GetFileName(file)}");
            }
        }

        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"'{directory}' holds {duplicates.Count} stem(s) more than once: {Names(duplicates.ToList())}; keep one file per stem.", paramName);
        }

        return index;
    }

    private static string Names(List<string> names)
    {
        string listed = string.Join(", ", names.Take(ListedNames));
        return names.Count > ListedNames ? $"{listed}, … ({names.Count - ListedNames} more)" : listed;
    }

    private static List<string> SplitFields(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c is ',' or '\t')
            {
                fields.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString().Trim());
        return fields;
    }
}
