<#
.SYNOPSIS
    Merges the benchmarks' figures into bench/results.json and bench/results.md, with the machine they ran on, and
    puts the table into bench/README.md (-ReadmePath) between the markers <!-- bench:begin --> and <!-- bench:end -->.

.DESCRIPTION
    Input: the *.json files in -InputFolder, written by tests/MlOps.Benchmarks (--out) and by the
    tests/Benchmarks/Measure-*.ps1 scripts (-OutFile), each with "figures" (see BenchFigures.ps1) and "benchmarks"
    (name, seconds); the .NET figures come first. Run by build.ps1 -Task Bench.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $InputFolder,
    [Parameter(Mandatory)] [string] $OutFolder,
    [string] $ReadmePath,
    [double] $TotalSeconds,
    # The 1-minute load average when the run started (other work on a shared machine slows the contenders unevenly).
    [string] $StartLoad
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Get-MachineInfo([string] $framework, [string] $memoryNote) {
    $cpu = $null; $memoryGiB = $null
    if (Test-Path /proc/cpuinfo) {
        $cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -match '^model name\s*:' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
    }
    if (Test-Path /proc/meminfo) {
        $kib = [double]((Get-Content /proc/meminfo | Where-Object { $_ -match '^MemTotal:' }) -replace '[^0-9]', '')
        $memoryGiB = [math]::Round($kib / 1MB, 1)
    }
    if (-not $cpu) { $cpu = $env:PROCESSOR_IDENTIFIER }
    $os = [Runtime.InteropServices.RuntimeInformation]::OSDescription
    if (Test-Path /etc/os-release) {
        $pretty = Get-Content /etc/os-release | Where-Object { $_ -match '^PRETTY_NAME=' } | Select-Object -First 1
        if ($pretty) { $os = $pretty -replace '^PRETTY_NAME="?(.*?)"?$', '$1' }
    }
    $commit = $null
    $git = Get-Command git -ErrorAction SilentlyContinue
    if ($git) {
        $commit = (& git -C $PSScriptRoot rev-parse --short HEAD 2>$null)
        if ((& git -C $PSScriptRoot status --porcelain --untracked-files=no 2>$null)) { $commit = "$commit (with uncommitted changes)" }
    }
    [ordered]@{
        cpu       = $cpu
        cores     = [Environment]::ProcessorCount
        memoryGiB = $memoryGiB
        os        = $os
        kernel    = [Environment]::OSVersion.VersionString
        dotnet    = $framework
        pwsh      = $PSVersionTable.PSVersion.ToString()
        load      = [ordered]@{ start = $(if ($StartLoad) { [double]$StartLoad } else { $null }); end = (Get-LoadAverage) }
        date      = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
        commit    = $commit
        memory    = $(if ($memoryNote) { $memoryNote } else { $null })
    }
}

function Get-LoadAverage {
    if (Test-Path /proc/loadavg) { [double]::Parse((Get-Content /proc/loadavg -Raw).Split(' ')[0], [cultureinfo]::InvariantCulture) } else { $null }
}

function Format-Number($value) {
    if ($null -eq $value) { return '' }
    $abs = [math]::Abs([double]$value)
    $format = if ($abs -ge 100) { '{0:N0}' } elseif ($abs -ge 10) { '{0:0.0}' } elseif ($abs -ge 0.1) { '{0:0.00}' } else { '{0:0.000}' }
    ($format -f [double]$value).Replace("`u{00A0}", ',')
}

function Format-Target($figure) {
    if ($null -eq $figure.target) { return '' }
    $t = $figure.target
    $unit = if ($t.unit) { " $($t.unit)" } else { '' }
    $op = switch ($t.op) { '>=' { '≥' } '<=' { '≤' } default { $t.op } }
    "$($t.of) $op $(Format-Number $t.value)$unit"
}

$figures = [Collections.Generic.List[object]]::new()
$benchmarks = [Collections.Generic.List[object]]::new()
$framework = $null
$memoryNote = $null
$inputs = @(Get-ChildItem $InputFolder -Filter *.json -File | Sort-Object { $_.Name -ne 'dotnet.json' }, Name)
if ($inputs.Count -eq 0) { throw "No benchmark results in $InputFolder." }
foreach ($path in $inputs.FullName) {
    $data = Get-Content $path -Raw | ConvertFrom-Json
    foreach ($figure in $data.figures) { $figures.Add($figure) }
    foreach ($benchmark in $data.benchmarks) { $benchmarks.Add($benchmark) }
    if ($data.PSObject.Properties['runtime']) {
        $framework = $data.runtime.framework
        if ($data.runtime.PSObject.Properties['memory'] -and $data.runtime.memory) { $memoryNote = $data.runtime.memory }
    }
}
if (-not $framework) { $framework = [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription }
$machine = Get-MachineInfo $framework $memoryNote

$measured = @($figures | Where-Object status -eq 'measured')
$withTarget = @($measured | Where-Object { $null -ne $_.met })
$summary = [ordered]@{
    figures = $figures.Count
    pending = @($figures | Where-Object status -eq 'pending').Count
    targets = $withTarget.Count
    met     = @($withTarget | Where-Object met).Count
    seconds = [math]::Round($TotalSeconds, 0)
}
New-Item -ItemType Directory -Path $OutFolder -Force | Out-Null
[ordered]@{ machine = $machine; summary = $summary; benchmarks = $benchmarks; figures = $figures } |
    ConvertTo-Json -Depth 8 | Set-Content (Join-Path $OutFolder 'results.json') -Encoding utf8

$memory = if ($machine.memoryGiB) { ", $($machine.memoryGiB) GiB memory" } else { '' }
$lines = [Collections.Generic.List[string]]::new()
$load = if ($null -ne $machine.load.end) { " Load average $($machine.load.start ?? '?') at the start, $($machine.load.end) at the end (a shared machine)." } else { '' }
$lines.Add("Machine: $($machine.cpu), $($machine.cores) cores$memory; $($machine.os); $($machine.dotnet); PowerShell $($machine.pwsh). " +
    "Run $($machine.date) at commit $($machine.commit), $($summary.seconds) s in all; $($summary.met) of $($summary.targets) targets met.$load" +
    $(if ($machine.memory) { " Memory: $($machine.memory)." } else { '' }))
$lines.Add('')
$lines.Add('| figure | ratio | measured | baseline | target | met |')
$lines.Add('|---|---|---|---|---|---|')
foreach ($f in $figures) {
    if ($f.status -eq 'pending') {
        $lines.Add("| $($f.name) | pending | | | | $($f.note) |")
        continue
    }
    $met = if ($null -eq $f.met) { '' } elseif ($f.met) { 'yes' } else { '**no**' }
    $lines.Add("| $($f.name) | $(Format-Number $f.ratio) | $(Format-Number $f.measured.value) $($f.measured.unit) | " +
        "$($f.baseline.name): $(Format-Number $f.baseline.value) $($f.baseline.unit) | $(Format-Target $f) | $met |")
}
$notes = @($figures | Where-Object { $_.status -eq 'measured' -and $_.note })
if ($notes.Count -gt 0) {
    $lines.Add('')
    foreach ($f in $notes) { $lines.Add("- $($f.name): $($f.note).") }
}
$table = $lines -join "`n"
Set-Content (Join-Path $OutFolder 'results.md') -Value ("# Benchmark results`n`nWritten by ``build.ps1 -Task Bench``.`n`n" + $table) -Encoding utf8
Write-Host $table

if ($ReadmePath) {
    $readme = Get-Content $ReadmePath -Raw
    $pattern = '(?s)(<!-- bench:begin -->).*?(<!-- bench:end -->)'
    if ($readme -notmatch $pattern) { throw "$ReadmePath has no <!-- bench:begin --> ... <!-- bench:end --> markers." }
    $updated = [regex]::Replace($readme, $pattern, { param($m) $m.Groups[1].Value + "`n" + $table + "`n" + $m.Groups[2].Value })
    [IO.File]::WriteAllText($ReadmePath, $updated, [Text.UTF8Encoding]::new($false))
    Write-Host "Updated the benchmark table in $ReadmePath"
}
