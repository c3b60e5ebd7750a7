<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\App\Action;

/**
 * Test stand-in for Magento's backend action context: only the getters the stand-in Action reads.
 *
 * Tests mock it (createMock); Magento's constructor, with its eighteen collaborators, is left out on purpose.
 */
class Context
{
    /**
     * Return the request.
     *
     * @return \Magento\Framework\App\RequestInterface
     */
    public function getRequest()
    {
        throw new \LogicException('Test stand-in: mock the Context.');
    }

    /**
     * Return the ACL check.
     *
     * @return \Magento\Framework\AuthorizationInterface
     */
    public function getAuthorization()
    {
        throw new \LogicException('Test stand-in: mock the Context.');
    }

    /**
     * Return the message manager.
     *
     * @return \Magento\Framework\Message\ManagerInterface
     */
    public function getMessageManager()
    {
        throw new \LogicException('Test stand-in: mock the Context.');
    }

    /**
     * Return the redirect factory.
     *
     * @return \Magento\Backend\Model\View\Result\RedirectFactory
     */
    public function getResultRedirectFactory()
    {
        throw new \LogicException('Test stand-in: mock the Context.');
    }
}
