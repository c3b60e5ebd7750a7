<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model;

use Gladly\Connector\Model\AdminBaseUrl;
use Magento\Backend\App\Area\FrontNameResolver;
use Magento\Framework\App\Config\ScopeConfigInterface;
use PHPUnit\Framework\TestCase;

/**
 * Tests building the admin base URL from the admin store's configuration.
 */
class AdminBaseUrlTest extends TestCase
{
    /**
     * Configuration cases: secure in admin, secure URL, unsecure URL, rewrites, frontName, expected.
     *
     * @return array<string, array{bool, string|null, string|null, bool, string, string}>
     */
    public function cases(): array
    {
        return [
            'secure admin' => [
                true, 'https://shop.test/', 'http://shop.test/', true, 'admin_x1', 'https://shop.test/admin_x1/',
            ],
            'unsecure admin' => [
                false, 'https://shop.test/', 'http://shop.test/', true, 'admin', 'http://shop.test/admin/',
            ],
            'no rewrites' => [
                true, 'https://shop.test/', 'http://shop.test/', false, 'admin', 'https://shop.test/index.php/admin/',
            ],
            'custom admin URL without slash' => [
                true, 'https://admin.shop.test', null, true, 'backend', 'https://admin.shop.test/backend/',
            ],
            'subfolder install' => [
                true, 'https://shop.test/m2/', null, true, '/admin/', 'https://shop.test/m2/admin/',
            ],
            'base URL unknown' => [true, null, null, true, 'admin', ''],
            'frontName unknown' => [true, 'https://shop.test/', null, true, '', ''],
        ];
    }

    /**
     * The URL joins the admin store's base link URL, index.php when needed, and the frontName.
     *
     * @dataProvider cases
     * @param bool $secureInAdmin
     * @param string|null $secureUrl
     * @param string|null $unsecureUrl
     * @param bool $rewrites
     * @param string $frontName
     * @param string $expected
     * @return void
     */
    public function testGet(
        bool $secureInAdmin,
        ?string $secureUrl,
        ?string $unsecureUrl,
        bool $rewrites,
        string $frontName,
        string $expected
    ): void {
        $scopeConfig = $this->createMock(ScopeConfigInterface::class);
        $scopeConfig->method('isSetFlag')->willReturnMap([
            ['web/secure/use_in_adminhtml', 'default', null, $secureInAdmin],
            ['web/seo/use_rewrites', 'store', 'admin', $rewrites],
        ]);
        $scopeConfig->method('getValue')->willReturnMap([
            ['web/secure/base_link_url', 'store', 'admin', $secureUrl],
            ['web/unsecure/base_link_url', 'store', 'admin', $unsecureUrl],
        ]);
        $resolver = $this->createMock(FrontNameResolver::class);
        $resolver->method('getFrontName')->willReturn($frontName);

        self::assertSame($expected, (new AdminBaseUrl($scopeConfig, $resolver))->get());
    }
}
