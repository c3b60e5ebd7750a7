<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Controller\Adminhtml\Open;

use Gladly\Connector\Controller\Adminhtml\Open\Customer;
use Gladly\Connector\Model\DeepLink\Resolver;
use Magento\Backend\App\Action\Context;
use Magento\Backend\Model\View\Result\RedirectFactory;
use Magento\Framework\App\RequestInterface;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Message\ManagerInterface;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;
use ReflectionMethod;
use ReflectionProperty;

/**
 * Tests the customer deep-link controller: redirect target, error message, ACL and secret-key exemption.
 */
class CustomerTest extends TestCase
{
    /**
     * @var RequestInterface&MockObject
     */
    private $request;

    /**
     * @var AuthorizationInterface&MockObject
     */
    private $authorization;

    /**
     * @var ManagerInterface&MockObject
     */
    private $messageManager;

    private Customer $controller;

    /**
     * Create the controller with a mocked request, ACL and message manager.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->request = $this->createMock(RequestInterface::class);
        $this->authorization = $this->createMock(AuthorizationInterface::class);
        $this->messageManager = $this->createMock(ManagerInterface::class);
        $context = new Context($this->request, $this->authorization, $this->messageManager, new RedirectFactory());
        $this->controller = new Customer($context, new Resolver());
    }

    /**
     * A valid id redirects to the record without an error.
     *
     * @return void
     */
    public function testRedirectsToRecord(): void
    {
        $this->request->method('getParam')->with('id')->willReturn('15');
        $this->messageManager->expects(self::never())->method('addErrorMessage');

        $result = $this->controller->execute();

        self::assertSame('customer/index/edit', $result->getPath());
        self::assertSame(['id' => 15], $result->getParams());
    }

    /**
     * Invalid ids from the link.
     *
     * @return array<string, array{mixed}>
     */
    public function invalidIds(): array
    {
        return ['missing' => [null], 'zero' => ['0'], 'text' => ['abc'], 'negative' => ['-1']];
    }

    /**
     * An invalid id redirects to the grid with an error message.
     *
     * @dataProvider invalidIds
     * @param mixed $id
     * @return void
     */
    public function testRedirectsToGridWithError($id): void
    {
        $this->request->method('getParam')->with('id')->willReturn($id);
        $this->messageManager->expects(self::once())
            ->method('addErrorMessage')
            ->with(self::callback(static function ($message): bool {
                return strpos((string) $message, 'valid customer') !== false;
            }));

        $result = $this->controller->execute();

        self::assertSame('customer/index/index', $result->getPath());
        self::assertSame([], $result->getParams());
    }

    /**
     * ACL answers for the page resource and the deep-link resource, and the expected outcome.
     *
     * @return array<string, array{bool, bool, bool}>
     */
    public function permissions(): array
    {
        return [
            'both granted' => [true, true, true],
            'page denied' => [false, true, false],
            'deep links denied' => [true, false, false],
            'both denied' => [false, false, false],
        ];
    }

    /**
     * Access needs both Magento_Customer::manage and Gladly_Connector::open.
     *
     * @dataProvider permissions
     * @param bool $page
     * @param bool $open
     * @param bool $expected
     * @return void
     */
    public function testRequiresBothAclResources(bool $page, bool $open, bool $expected): void
    {
        $this->authorization->method('isAllowed')->willReturnMap([
            ['Magento_Customer::manage', null, $page],
            ['Gladly_Connector::open', null, $open],
        ]);
        $isAllowed = new ReflectionMethod(Customer::class, '_isAllowed');
        $isAllowed->setAccessible(true);

        self::assertSame('Magento_Customer::manage', Customer::ADMIN_RESOURCE);
        self::assertSame($expected, $isAllowed->invoke($this->controller));
    }

    /**
     * The action is public, so "Add Secret Key to URLs" does not bounce the link to the dashboard.
     *
     * @return void
     */
    public function testActionSkipsSecretKeyCheck(): void
    {
        $publicActions = new ReflectionProperty(Customer::class, '_publicActions');
        $publicActions->setAccessible(true);

        self::assertSame(['customer'], $publicActions->getValue($this->controller));
    }
}
