#!/usr/bin/env bash
# Package completeness check: packs Microsoft.ML.Segmentation (and the export package) into a temporary folder feed,
# checks what the packages hold, then builds and runs a fresh console application, outside the repository, that
# references the package from that feed (plus the CPU ONNX Runtime) and checks what it prints.
#
#   build/package-check.sh [--no-build] [-c CONFIGURATION]
#       --no-build: pack the build already in bin/ (the test PackageCompletenessTests does, after its own build);
#       -c: the configuration to pack (default Release).
#
# The packages get a unique prerelease version, so the global packages folder never serves a stale copy; that one
# version's folder is removed from it at the end. Last line: 'package check: passed' or 'package check: failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

build_flag=(); configuration=Release
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build_flag=(--no-build); shift ;;
    -c|--configuration) configuration=${2:?"-c needs a configuration"}; shift 2 ;;
    *) echo "usage: build/package-check.sh [--no-build] [-c CONFIGURATION]" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
version="0.1.0-check.$(date +%s).$$"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cleanup() {
  rm -rf "$work"
  rm -rf "$packages/microsoft.ml.segmentation/$version" "$packages/microsoft.ml.segmentation.export/$version"
  rmdir "$packages/microsoft.ml.segmentation" "$packages/microsoft.ml.segmentation.export" 2>/dev/null
}
trap cleanup EXIT
fail() { echo "package check: $*" >&2; echo "package check: failed"; exit 1; }

feed="$work/feed"
for project in Microsoft.ML.Segmentation Microsoft.ML.Segmentation.Export; do
  dotnet pack "src/$project" -c "$configuration" -o "$feed" -nologo -v quiet "${build_flag[@]}" -p:PackageVersion="$version" \
    || fail "dotnet pack src/$project failed"
done

# What the packages hold: README, XML docs, licence, the library for net10.0, and a symbols package beside each.
check_package() { # $1 = package id
  local id=$1 nupkg="$feed/$1.$version.nupkg" listing nuspec
  [ -f "$nupkg" ] || fail "$id.$version.nupkg was not produced"
  [ -f "$feed/$id.$version.snupkg" ] || fail "$id.$version.snupkg (symbols) was not produced"
  listing=$(unzip -Z1 "$nupkg")
  for entry in PACKAGE.md LICENSE "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qxF "$entry" <<<"$listing" || fail "$id: $entry is missing from the package"
  done
  unzip -Z1 "$feed/$id.$version.snupkg" | grep -qxF "lib/net10.0/$id.pdb" || fail "$id: the symbols package has no pdb"
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for field in '<license type="expression">MIT</license>' '<readme>PACKAGE.md</readme>' '<authors>SegML contributors</authors>' '<description>' '<tags>'; do
    grep -qF "$field" <<<"$nuspec" || fail "$id: the nuspec lacks $field"
  done
  echo "package check: $id.$version.nupkg holds $(wc -l <<<"$listing") entries, metadata and symbols complete"
}
check_package Microsoft.ML.Segmentation
check_package Microsoft.ML.Segmentation.Export

# A fresh application outside the repository. Empty Directory.Build.props/Directory.Packages.props stop MSBuild from
# looking further up; the NuGet.config adds the folder feed and keeps the machine's own sources (no <clear/>).
app="$work/app"
mkdir -p "$app"
echo '<Project />' > "$work/Directory.Build.props"
echo '<Project />' > "$work/Directory.Packages.props"
echo '<Project />' > "$work/Directory.Build.targets"
cat > "$work/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="segml-check" value="$feed" />
  </packageSources>
</configuration>
XML
cat > "$app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML.Segmentation" Version="$version" />
    <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="1.31.0" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
using Microsoft.ML;                       // MLContext, mlContext.Segmentation()
using Microsoft.ML.Data;
using Microsoft.ML.Segmentation.Losses;   // the losses, SegmentationShape, SegmentationTarget<T>
using Microsoft.ML.Segmentation.Metrics;
using ConfusionMatrix = Microsoft.ML.Segmentation.Metrics.ConfusionMatrix;

// A loss: two classes, all logits 0, so cross-entropy is ln 2 at every pixel.
var shape = new SegmentationShape(batch: 1, classes: 2, height: 2, width: 2);
var logits = new float[shape.ElementCount];
int[] labels = [0, 1, 1, 0];
var gradient = new float[shape.ElementCount];
double ce = new CrossEntropyLoss().Compute<float>(logits, shape, SegmentationTarget<float>.FromLabels(labels), gradient);
Console.WriteLine($"cross-entropy {ce:F6}");

// A metric: a perfect prediction has IoU 1 for both classes.
var matrix = new ConfusionMatrix(numClasses: 2);
matrix.Add(labels, labels, shape);
double[] iou = ConfusionMetrics.Compute(ConfusionMetric.Iou, matrix.ToCounts(), new MetricOptions { Reduction = MetricReduction.PerClass });
Console.WriteLine($"iou {string.Join(",", iou.Select(v => v.ToString("F3")))}");

// The catalog: pair two image files with two masks by stem.
string root = Path.Combine(Path.GetTempPath(), "segml-package-check-" + Environment.ProcessId);
Directory.CreateDirectory(Path.Combine(root, "images"));
Directory.CreateDirectory(Path.Combine(root, "masks"));
foreach (string name in new[] { "a", "b" })
{
    File.WriteAllBytes(Path.Combine(root, "images", name + ".png"), []);
    File.WriteAllBytes(Path.Combine(root, "masks", name + ".png"), []);
}
var ml = new MLContext(seed: 1);
IDataView pairs = ml.Segmentation().LoadFromFolders(Path.Combine(root, "images"), Path.Combine(root, "masks"));
string[] names = pairs.GetColumn<string>("Name").ToArray();
Directory.Delete(root, recursive: true);
Console.WriteLine($"pairs {string.Join(",", names)}");
CS

( cd "$app" && dotnet run -c Release -nologo > "$work/app.out" 2> "$work/app.err" )
rc=$?
cat "$work/app.out"
[ "$rc" -eq 0 ] || { cat "$work/app.err" >&2; fail "the application built on the package did not build or run (exit $rc)"; }
grep -qxF "cross-entropy 0.693147" "$work/app.out" || fail "unexpected cross-entropy"
grep -qxF "iou 1.000,1.000" "$work/app.out" || fail "unexpected IoU"
grep -qxF "pairs a,b" "$work/app.out" || fail "unexpected pairs from LoadFromFolders"
echo "package check: passed"
