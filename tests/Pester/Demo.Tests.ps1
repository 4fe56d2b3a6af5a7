BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'The demo (build.ps1 -Task Demo)' {
    It 'runs the whole story on the Local platform and cleans up its services' {
        $work = Join-Path ([IO.Path]::GetTempPath()) "mlops-demo-$([guid]::NewGuid().ToString('N'))"
        $python = Find-TestPython
        try {
            $output = Invoke-FreshPwsh "& '$RepoRoot/scripts/demo.ps1' -WorkFolder '$work' -Python '$python'" | Out-String
            $output | Should -Match 'test answered: status=ok prediction=[\d.]+, [\d.]+ model_id=diabetes/test/2'
            $output | Should -Match 'bad input answered: status=error error=ModelException: missing features'
            $output | Should -Match 'prod answered: status=ok .* model_id=diabetes/prod/1'
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
