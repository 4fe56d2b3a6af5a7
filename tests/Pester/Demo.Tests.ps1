BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'The demo (build.ps1 -Task Demo)' {
    It 'runs the whole story on the Local platform and cleans up its services' {
        $work = Join-Path ([IO.Path]::GetTempPath()) "mlops-demo-$([guid]::NewGuid().ToString('N'))"
        $python = Find-TestPython
        try {
            # Without NO_COLOR (the suite sets it), so that the demo's own choice of plain text for redirected output is tested.
            $noColor = $env:NO_COLOR
            Remove-Item Env:NO_COLOR -ErrorAction SilentlyContinue
            try { $output = Invoke-FreshPwsh "& '$RepoRoot/scripts/demo.ps1' -WorkFolder '$work' -Python '$python'" | Out-String }
            finally { if ($null -ne $noColor) { $env:NO_COLOR = $noColor } }
            $output | Should -Match 'test answered: status=ok prediction=[\d.]+, [\d.]+ model_id=diabetes/test/2'
            $output | Should -Match 'bad input answered: status=error error=ModelException: missing features'
            $output | Should -Match 'prod answered: status=ok .* model_id=diabetes/prod/2'
            $output | Should -Match 'training answered: status=ok model_id=diabetes/test/3'
            $output | Should -Match 'test now serves diabetes/test/3'
            $output | Should -Match 'rolled back: test serves diabetes/test/2 again'
            $output | Should -Match 'rollback to #1'
            $output | Should -Match 'Services removed'
            $output | Should -Match 'Demo finished'
            Push-Location (Join-Path $work 'project')
            try {
                Import-Module $ManifestPath -Force
                Get-MlService | Should -BeNullOrEmpty
                (Get-MlModelVersion diabetes -Environment prod -Latest).PromotedFrom | Should -Be 'diabetes/test/2'
                # The demo commits the project: every version and deployment names that commit.
                $commit = git rev-parse HEAD
                $output | Should -Match ('Committed to git as ' + $commit.Substring(0, 10))
                (Get-MlModelVersion diabetes -Environment prod -Latest).Revision.Commit | Should -Be $commit
                (Get-MlModelVersion diabetes -Environment test -Version 3).Revision.Commit | Should -Be $commit
                # The history table (its default view; the commit is in -View Details) showed the rollback's entry.
                $output | Should -Match 'rollback to #1\s+diabetes/test/2\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+passed\s+\*'
                # Redirected output is plain text: no ANSI escape sequences.
                $output | Should -Not -Match "`e\["
                # The lineage view: prod/2 came from test/2 (a promotion keeps the number), made from the commit.
                $output | Should -Match ('diabetes/prod/2\s.*diabetes/test/2\s+' + $commit.Substring(0, 10))
                Test-Path (Join-Path $work 'prod-artifact/model.pkl') | Should -BeTrue
            }
            finally { Pop-Location }
        }
        finally {
            if (Test-Path $work) {
                Get-ChildItem $work -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
                Remove-Item $work -Recurse -Force
            }
        }
    }
}

Describe 'The README tour' {
    It 'runs as pasted: both snippets, in a fresh pwsh, from a folder laid out like the repository' {
        $work = Join-Path ([IO.Path]::GetTempPath()) "mlops-tour-$([guid]::NewGuid().ToString('N'))"
        $python = Find-TestPython
        New-Item -ItemType Directory (Join-Path $work 'scripts') -Force | Out-Null
        Copy-Item $ManifestPath, (Join-Path $RepoRoot 'bin'), (Join-Path $RepoRoot 'en-US'), (Join-Path $RepoRoot 'module') $work -Recurse
        Copy-Item (Join-Path $RepoRoot 'scripts/example') (Join-Path $work 'scripts') -Recurse
        $readme = Get-Content (Join-Path $RepoRoot 'README.md') -Raw
        $tour = $readme.Substring($readme.IndexOf('## A short tour'))
        $snippets = [regex]::Matches($tour.Substring(0, $tour.IndexOf("`n## ", 5)), '(?s)```powershell\n(.*?)```') | ForEach-Object { $_.Groups[1].Value }
        $snippets.Count | Should -Be 2
        # The tour's `python3` is the interpreter with scikit-learn; New-MlProject trains with the one MlOps finds.
        $path = $env:PATH
        $env:PATH = (Split-Path $python) + [IO.Path]::PathSeparator + $env:PATH
        try {
            $first = Invoke-FreshPwsh "`$ErrorActionPreference = 'Stop'; Set-Location '$work'; Import-Module ./MlOps.psd1; `$env:MLOPS_PYTHON = '$python'`n$($snippets[0])" | Out-String
            $first | Should -Match 'passed'
            $second = Invoke-FreshPwsh "`$ErrorActionPreference = 'Stop'; Set-Location '$work'`n$($snippets[1])" | Out-String
            $second | Should -Match 'diabetes/prod/1'
            $second | Should -Match 'diabetes/test/2'     # the training service's version
        }
        finally {
            $env:PATH = $path
            Invoke-FreshPwsh "Import-Module '$work/MlOps.psd1'; Set-Location '$work/my-model-project'; Get-MlService | Remove-MlService -PurgeHistory -Confirm:`$false" -AllowFailure | Out-Null
            Get-ChildItem $work -Recurse -File -Force | ForEach-Object { $_.IsReadOnly = $false }
            Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
